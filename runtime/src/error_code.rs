//! The `errcode` of a standard Matrix error.

crate::string_enum! {
    /// The `errcode` of a standard Matrix error response.
    ///
    /// Known codes of the client-server API (and of the identity-server API,
    /// whose errors some client-server endpoints pass through) are variants;
    /// any other code, e.g. a newer one or a homeserver-specific `ORG_…`
    /// code, is kept verbatim in [`ErrorCode::Other`] and serializes back
    /// unchanged. Construct codes with `ErrorCode::from("M_…")`, which
    /// always picks the known variant when there is one.
    ///
    /// ```
    /// use matrix_csapi_runtime::ErrorCode;
    ///
    /// assert_eq!(ErrorCode::from("M_FORBIDDEN"), ErrorCode::Forbidden);
    /// assert_eq!(ErrorCode::Forbidden.as_str(), "M_FORBIDDEN");
    /// let other = ErrorCode::from("ORG_EXAMPLE_SHINY");
    /// assert!(matches!(other, ErrorCode::Other(_)));
    /// assert_eq!(other.to_string(), "ORG_EXAMPLE_SHINY");
    /// ```
    #[non_exhaustive]
    pub enum ErrorCode {
        /// Forbidden access, e.g. joining a room without permission or a failed login.
        Forbidden = "M_FORBIDDEN",
        /// The access or refresh token was not recognised.
        UnknownToken = "M_UNKNOWN_TOKEN",
        /// No access token was specified for a request that requires one.
        MissingToken = "M_MISSING_TOKEN",
        /// The account has been locked and cannot be used at this time.
        UserLocked = "M_USER_LOCKED",
        /// The account has been suspended and can only be used for limited actions.
        UserSuspended = "M_USER_SUSPENDED",
        /// The request body was malformed JSON or did not match the expected shape.
        BadJson = "M_BAD_JSON",
        /// The request did not contain valid JSON.
        NotJson = "M_NOT_JSON",
        /// No resource was found for this request.
        NotFound = "M_NOT_FOUND",
        /// Too many requests have been sent in a short period of time.
        LimitExceeded = "M_LIMIT_EXCEEDED",
        /// The server did not understand the request (e.g. an unknown endpoint).
        Unrecognized = "M_UNRECOGNIZED",
        /// An unknown error has occurred.
        Unknown = "M_UNKNOWN",
        /// The request was not correctly authorized, usually due to a failed login.
        Unauthorized = "M_UNAUTHORIZED",
        /// The user ID associated with the request has been deactivated.
        UserDeactivated = "M_USER_DEACTIVATED",
        /// The desired user ID is already taken.
        UserInUse = "M_USER_IN_USE",
        /// The desired user ID is not a valid user name.
        InvalidUsername = "M_INVALID_USERNAME",
        /// The room alias given for room creation is already in use.
        RoomInUse = "M_ROOM_IN_USE",
        /// The initial state given for room creation was invalid.
        InvalidRoomState = "M_INVALID_ROOM_STATE",
        /// The third-party identifier is already in use by another user.
        ThreepidInUse = "M_THREEPID_IN_USE",
        /// No account matching the third-party identifier could be found.
        ThreepidNotFound = "M_THREEPID_NOT_FOUND",
        /// Authentication of the third-party identifier could not be performed.
        ThreepidAuthFailed = "M_THREEPID_AUTH_FAILED",
        /// The server does not permit this third-party identifier.
        ThreepidDenied = "M_THREEPID_DENIED",
        /// The identity server given is not trusted by the homeserver.
        ServerNotTrusted = "M_SERVER_NOT_TRUSTED",
        /// The homeserver does not support the requested room version.
        UnsupportedRoomVersion = "M_UNSUPPORTED_ROOM_VERSION",
        /// The room version is not supported by the user's homeserver.
        IncompatibleRoomVersion = "M_INCOMPATIBLE_ROOM_VERSION",
        /// The request cannot be performed in the current state, e.g. banning an unbannable user.
        BadState = "M_BAD_STATE",
        /// The room or resource does not permit guests to access it.
        GuestAccessForbidden = "M_GUEST_ACCESS_FORBIDDEN",
        /// A Captcha is required to complete the request.
        CaptchaNeeded = "M_CAPTCHA_NEEDED",
        /// The Captcha provided did not match what was expected.
        CaptchaInvalid = "M_CAPTCHA_INVALID",
        /// A required parameter was missing from the request.
        MissingParam = "M_MISSING_PARAM",
        /// A parameter had an invalid value.
        InvalidParam = "M_INVALID_PARAM",
        /// The request or entity was too large.
        TooLarge = "M_TOO_LARGE",
        /// The resource is reserved by an application service.
        Exclusive = "M_EXCLUSIVE",
        /// The homeserver has hit a resource limit (e.g. monthly active users).
        ResourceLimitExceeded = "M_RESOURCE_LIMIT_EXCEEDED",
        /// The user cannot leave the server notices room.
        CannotLeaveServerNoticeRoom = "M_CANNOT_LEAVE_SERVER_NOTICE_ROOM",
        /// The third-party identifier medium is not supported.
        ThreepidMediumNotSupported = "M_THREEPID_MEDIUM_NOT_SUPPORTED",
        /// The password does not meet the server's password policy.
        WeakPassword = "M_WEAK_PASSWORD",
        /// The room is restricted and none of its conditions could be validated.
        UnableToAuthoriseJoin = "M_UNABLE_TO_AUTHORISE_JOIN",
        /// No user able to authorise a restricted join could be found.
        UnableToGrantJoin = "M_UNABLE_TO_GRANT_JOIN",
        /// A room alias does not point at the room it was given for.
        BadAlias = "M_BAD_ALIAS",
        /// The user has already sent this annotation (reaction).
        DuplicateAnnotation = "M_DUPLICATE_ANNOTATION",
        /// The asynchronously uploaded media has not been uploaded yet.
        NotYetUploaded = "M_NOT_YET_UPLOADED",
        /// The asynchronously uploaded media has already been uploaded.
        CannotOverwriteMedia = "M_CANNOT_OVERWRITE_MEDIA",
        /// The pagination token (`pos`) is unknown or expired.
        UnknownPos = "M_UNKNOWN_POS",
        /// The push gateway URL was not set for an HTTP pusher.
        UrlNotSet = "M_URL_NOT_SET",
        /// The remote server answered with an unsuccessful status.
        BadStatus = "M_BAD_STATUS",
        /// The connection to the remote server failed.
        ConnectionFailed = "M_CONNECTION_FAILED",
        /// The connection to the remote server timed out.
        ConnectionTimeout = "M_CONNECTION_TIMEOUT",
        /// The room key backup version is not the current one.
        WrongRoomKeysVersion = "M_WRONG_ROOM_KEYS_VERSION",
        /// The invitee blocks invites from the inviter.
        InviteBlocked = "M_INVITE_BLOCKED",
        /// Application services cannot use this login or registration type.
        AppserviceLoginUnsupported = "M_APPSERVICE_LOGIN_UNSUPPORTED",
        /// A signature on an uploaded key is invalid.
        InvalidSignature = "M_INVALID_SIGNATURE",
        /// A profile key is too long.
        KeyTooLarge = "M_KEY_TOO_LARGE",
        /// The profile would exceed its maximum size.
        ProfileTooLarge = "M_PROFILE_TOO_LARGE",
        /// (Identity server) The terms of service have not been accepted.
        TermsNotSigned = "M_TERMS_NOT_SIGNED",
        /// (Identity server) The validation token is incorrect.
        TokenIncorrect = "M_TOKEN_INCORRECT",
        /// (Identity server) The validation session has expired.
        SessionExpired = "M_SESSION_EXPIRED",
        /// (Identity server) The validation session has not been validated.
        SessionNotValidated = "M_SESSION_NOT_VALIDATED",
        /// (Identity server) No valid validation session was found.
        NoValidSession = "M_NO_VALID_SESSION",
        /// (Identity server) The email address is invalid.
        InvalidEmail = "M_INVALID_EMAIL",
        /// (Identity server) The validation email could not be sent.
        EmailSendError = "M_EMAIL_SEND_ERROR",
        /// (Identity server) The phone number is invalid.
        InvalidAddress = "M_INVALID_ADDRESS",
        /// (Identity server) The validation SMS could not be sent.
        SendError = "M_SEND_ERROR",
        /// (Identity server) The destination of the SMS was rejected.
        DestinationRejected = "M_DESTINATION_REJECTED",
        /// (Identity server) The lookup pepper is invalid or outdated.
        InvalidPepper = "M_INVALID_PEPPER",
    }
    unknown: Other
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::ErrorCode;

    #[test]
    fn known_codes_round_trip() {
        for code in [
            "M_FORBIDDEN",
            "M_UNKNOWN_TOKEN",
            "M_LIMIT_EXCEEDED",
            "M_INVITE_BLOCKED",
            "M_USER_SUSPENDED",
            "M_INVALID_PEPPER",
        ] {
            let parsed = ErrorCode::from(code);
            assert!(
                !matches!(parsed, ErrorCode::Other(_)),
                "{code} should be known"
            );
            assert_eq!(parsed.as_str(), code);
            assert_eq!(parsed.to_string(), code);
            assert_eq!(ErrorCode::from(code.to_owned()), parsed);
        }
        assert_eq!(ErrorCode::from("M_UNKNOWN_TOKEN"), ErrorCode::UnknownToken);
        assert_eq!(ErrorCode::from("M_UNKNOWN"), ErrorCode::Unknown);
    }

    #[test]
    fn unknown_codes_are_kept_verbatim() {
        let code = ErrorCode::from("ORG_EXAMPLE_Weird code ü");
        let ErrorCode::Other(value) = &code else {
            panic!("expected Other, got {code:?}");
        };
        assert_eq!(value.as_str(), "ORG_EXAMPLE_Weird code ü");
        assert_eq!(code.as_str(), "ORG_EXAMPLE_Weird code ü");
        assert_eq!(format!("{code:?}"), r#"Other("ORG_EXAMPLE_Weird code ü")"#);
        // Codes are case-sensitive.
        assert!(matches!(
            ErrorCode::from("m_forbidden"),
            ErrorCode::Other(_)
        ));
        assert_eq!(
            "M_NEW".parse::<ErrorCode>().unwrap(),
            ErrorCode::from("M_NEW")
        );
    }

    #[test]
    fn serde_as_plain_string() {
        let json = serde_json::to_string(&ErrorCode::NotFound).unwrap();
        assert_eq!(json, r#""M_NOT_FOUND""#);
        let parsed: ErrorCode = serde_json::from_str(r#""M_NOT_FOUND""#).unwrap();
        assert_eq!(parsed, ErrorCode::NotFound);
        let other: ErrorCode = serde_json::from_str(r#""XYZ_\u0041""#).unwrap();
        assert_eq!(other.as_str(), "XYZ_A");
        assert_eq!(serde_json::to_string(&other).unwrap(), r#""XYZ_A""#);
        assert!(serde_json::from_str::<ErrorCode>("42").is_err());
    }

    #[test]
    fn every_spec_code_is_known() {
        // All codes that appear in the v1.19 API descriptions.
        const SPEC_CODES: &[&str] = &[
            "M_APPSERVICE_LOGIN_UNSUPPORTED",
            "M_BAD_ALIAS",
            "M_BAD_JSON",
            "M_BAD_STATUS",
            "M_CANNOT_OVERWRITE_MEDIA",
            "M_CONNECTION_FAILED",
            "M_CONNECTION_TIMEOUT",
            "M_DESTINATION_REJECTED",
            "M_DUPLICATE_ANNOTATION",
            "M_EMAIL_SEND_ERROR",
            "M_EXCLUSIVE",
            "M_FORBIDDEN",
            "M_INCOMPATIBLE_ROOM_VERSION",
            "M_INVALID_ADDRESS",
            "M_INVALID_EMAIL",
            "M_INVALID_PARAM",
            "M_INVALID_PEPPER",
            "M_INVALID_ROOM_STATE",
            "M_INVALID_SIGNATURE",
            "M_INVALID_USERNAME",
            "M_INVITE_BLOCKED",
            "M_KEY_TOO_LARGE",
            "M_LIMIT_EXCEEDED",
            "M_MISSING_PARAM",
            "M_NOT_FOUND",
            "M_NOT_JSON",
            "M_NOT_YET_UPLOADED",
            "M_NO_VALID_SESSION",
            "M_PROFILE_TOO_LARGE",
            "M_ROOM_IN_USE",
            "M_SEND_ERROR",
            "M_SERVER_NOT_TRUSTED",
            "M_SESSION_EXPIRED",
            "M_SESSION_NOT_VALIDATED",
            "M_TERMS_NOT_SIGNED",
            "M_THREEPID_AUTH_FAILED",
            "M_THREEPID_DENIED",
            "M_THREEPID_IN_USE",
            "M_THREEPID_MEDIUM_NOT_SUPPORTED",
            "M_THREEPID_NOT_FOUND",
            "M_TOKEN_INCORRECT",
            "M_TOO_LARGE",
            "M_UNABLE_TO_AUTHORISE_JOIN",
            "M_UNABLE_TO_GRANT_JOIN",
            "M_UNKNOWN",
            "M_UNKNOWN_TOKEN",
            "M_UNRECOGNIZED",
            "M_UNSUPPORTED_ROOM_VERSION",
            "M_URL_NOT_SET",
            "M_USER_DEACTIVATED",
            "M_USER_IN_USE",
            "M_WRONG_ROOM_KEYS_VERSION",
        ];
        for code in SPEC_CODES {
            assert!(
                !matches!(ErrorCode::from(*code), ErrorCode::Other(_)),
                "{code} is missing from ErrorCode"
            );
        }
    }

    #[test]
    fn ordering_is_by_wire_value() {
        let mut codes = [
            ErrorCode::from("Z_LAST"),
            ErrorCode::Unknown,
            ErrorCode::BadJson,
        ];
        codes.sort();
        let strings: Vec<_> = codes.iter().map(ErrorCode::as_str).collect();
        assert_eq!(strings, ["M_BAD_JSON", "M_UNKNOWN", "Z_LAST"]);
    }
}
