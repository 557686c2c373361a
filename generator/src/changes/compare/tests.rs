//! The rules the fixture pair (`tests/changes.rs`) does not reach:
//! response and error enums, non-JSON responses, feature gates, auth
//! relaxed, on hand-built models.

use super::*;
use crate::load::Location;
use crate::model::{
    Auth, Docs, EndpointError, Field, Module, RawResponse, ResponseArm, ResponseHeader, Struct,
    SuccessResponse,
};

fn def(name: &str, kind: TypeKind) -> TypeDef {
    TypeDef {
        name: name.to_owned(),
        module: "m".to_owned(),
        docs: Docs::default(),
        source: Location::file("m.yaml"),
        kind,
        features: Vec::new(),
        name_origin: crate::model::NameOrigin::Schema,
        title: None,
    }
}

fn field(name: &str, required: bool, feature: Option<&str>) -> Field {
    Field {
        json_name: name.to_owned(),
        rust_name: name.to_owned(),
        ty: Type::String,
        required,
        docs: Docs::default(),
        secret: false,
        bounds: None,
        feature: feature.map(str::to_owned),
    }
}

/// An API with one operation `op` (request type 0) and `types` after it.
fn api(op: impl FnOnce(&mut Operation), types: Vec<TypeDef>) -> Api {
    let mut operation = Operation {
        operation_id: "op".to_owned(),
        fn_name: "op".to_owned(),
        request: TypeId(0),
        method: "GET".to_owned(),
        path_template: "/p".to_owned(),
        path: Vec::new(),
        docs: Docs::default(),
        auth: Auth::AccessToken,
        body: None,
        response: SuccessResponse {
            enum_name: None,
            arms: vec![arm(200, "Ok", ResponseKind::Empty)],
        },
        endpoint_errors: Vec::new(),
        runtime_error_statuses: Vec::new(),
        error_type: None,
        rate_limited: false,
        source: Location::file("m.yaml"),
        feature: None,
        mxc_fields: None,
        send_content: None,
    };
    op(&mut operation);
    let mut all = vec![def("OpRequest", TypeKind::Struct(Struct::default()))];
    all.extend(types);
    Api {
        spec_tag: "t".to_owned(),
        modules: vec![Module {
            name: "m".to_owned(),
            source: "m.yaml".to_owned(),
            title: None,
            operations: vec![operation],
        }],
        types: all,
        features: Vec::new(),
        events: Vec::new(),
        event_enums: Vec::new(),
    }
}

fn arm(status: u16, variant: &str, kind: ResponseKind) -> ResponseArm {
    ResponseArm {
        status,
        variant: variant.to_owned(),
        kind,
        doc: None,
    }
}

fn changes(old: &Api, new: &Api) -> Vec<(bool, ChangeKind)> {
    compare(old, new)
        .changes
        .into_iter()
        .map(|c| (c.breaking, c.kind))
        .collect()
}

#[test]
fn response_enum_statuses() {
    let with = |arms: Vec<ResponseArm>| {
        api(
            |op| {
                op.response = SuccessResponse {
                    enum_name: Some("OpResponse".to_owned()),
                    arms,
                }
            },
            vec![],
        )
    };
    let old = with(vec![
        arm(200, "Ok", ResponseKind::Json(Type::String)),
        arm(307, "TemporaryRedirect", ResponseKind::Empty),
    ]);
    let new = with(vec![
        arm(200, "Ok", ResponseKind::Json(Type::I64)),
        arm(202, "Accepted", ResponseKind::Empty),
    ]);
    assert_eq!(
        changes(&old, &new),
        [
            // Breaking first, then in the order of the kinds.
            (
                true,
                ChangeKind::ResponseStatusRemoved {
                    status: 307,
                    variant: "TemporaryRedirect".to_owned()
                }
            ),
            (
                true,
                ChangeKind::ResponseStatusRetyped {
                    status: 200,
                    from: "String".to_owned(),
                    to: "i64".to_owned()
                }
            ),
            // The enum is `#[non_exhaustive]`.
            (
                false,
                ChangeKind::ResponseStatusAdded {
                    status: 202,
                    variant: "Accepted".to_owned()
                }
            ),
        ]
    );
    // One status to several: the call returns another type.
    let single = api(
        |op| op.response.arms = vec![arm(200, "Ok", ResponseKind::Json(Type::String))],
        vec![],
    );
    assert_eq!(
        changes(&single, &new),
        [(
            true,
            ChangeKind::ResponseRetyped {
                from: "String".to_owned(),
                to: "m::OpResponse".to_owned()
            }
        )]
    );
}

#[test]
fn error_enums() {
    let with = |errors: Vec<(u16, &str)>| {
        api(
            |op| {
                op.error_type = (!errors.is_empty()).then(|| "OpError".to_owned());
                op.endpoint_errors = errors
                    .into_iter()
                    .map(|(status, variant)| EndpointError {
                        status,
                        variant: variant.to_owned(),
                        ty: None,
                        doc: None,
                    })
                    .collect();
            },
            vec![],
        )
    };
    let none = with(vec![]);
    let one = with(vec![(404, "NotFound")]);
    let two = with(vec![(404, "NotFound"), (502, "BadGateway")]);
    assert_eq!(
        changes(&none, &one),
        [(
            true,
            ChangeKind::ErrorRetyped {
                from: "Infallible".to_owned(),
                to: "m::OpError".to_owned()
            }
        )]
    );
    assert_eq!(
        changes(&one, &two),
        [(
            false,
            ChangeKind::ErrorStatusAdded {
                status: 502,
                variant: "BadGateway".to_owned()
            }
        )]
    );
    assert_eq!(
        changes(&two, &one),
        [(
            true,
            ChangeKind::ErrorStatusRemoved {
                status: 502,
                variant: "BadGateway".to_owned()
            }
        )]
    );
}

#[test]
fn non_json_responses_have_no_constructor() {
    let raw = |headers: &[&str], has_body: bool| {
        let headers = headers
            .iter()
            .map(|h| ResponseHeader {
                wire_name: (*h).to_owned(),
                rust_name: h.to_lowercase().replace('-', "_"),
                docs: Docs::default(),
            })
            .collect();
        api(
            |_| {},
            vec![def(
                "Download",
                TypeKind::RawResponse(RawResponse { headers, has_body }),
            )],
        )
    };
    let old = raw(&["Content-Type"], false);
    let new = raw(&["Content-Type", "Content-Disposition"], true);
    let kinds = changes(&old, &new);
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    // A body and a header are new fields of a `#[non_exhaustive]`
    // struct that users never build: not breaking.
    assert!(kinds.iter().all(|(breaking, kind)| !breaking
        && matches!(
            kind,
            ChangeKind::MemberAdded {
                in_constructor: false,
                ..
            }
        )));
    assert!(changes(&new, &old).iter().all(|(breaking, _)| *breaking));
}

#[test]
fn feature_gates() {
    let with = |feature: Option<&str>| {
        let s = Struct {
            fields: vec![field("f", false, feature)],
            ..Struct::default()
        };
        api(|_| {}, vec![def("T", TypeKind::Struct(s))])
    };
    let (ungated, gated) = (with(None), with(Some("unstable-x")));
    // Code built without the feature loses the field.
    assert!(matches!(
        changes(&ungated, &gated)[..],
        [(true, ChangeKind::MemberFeatureChanged { .. })]
    ));
    // The field is there for everyone now.
    assert!(matches!(
        changes(&gated, &ungated)[..],
        [(false, ChangeKind::MemberFeatureChanged { .. })]
    ));
    // A gated field added is optional: not breaking.
    let bare = api(|_| {}, vec![def("T", TypeKind::Struct(Struct::default()))]);
    assert!(matches!(
        &changes(&bare, &gated)[..],
        [(false, ChangeKind::MemberAdded { feature: Some(f), .. })] if f == "unstable-x"
    ));
}

#[test]
fn operation_type_and_enum_value_gates() {
    use crate::model::EnumValue;

    let with = |op_feature: Option<&str>, type_features: &[&str], value_feature: Option<&str>| {
        let value = |v: &str, feature: Option<&str>| EnumValue {
            wire: v.to_owned(),
            variant: v.to_uppercase(),
            feature: feature.map(str::to_owned),
        };
        let mut colour = def(
            "Colour",
            TypeKind::StringEnum(vec![value("red", None), value("blue", value_feature)]),
        );
        colour.features = type_features.iter().map(|f| (*f).to_owned()).collect();
        api(
            |op| op.feature = op_feature.map(str::to_owned),
            vec![colour],
        )
    };
    let plain = with(None, &[], None);
    let gated = with(Some("unstable-op"), &["unstable-ty"], Some("unstable-blue"));
    let kinds = changes(&plain, &gated);
    // Each item is gone from code built without its new feature.
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(kinds.iter().all(|(breaking, _)| *breaking), "{kinds:?}");
    assert!(kinds.contains(&(
        true,
        ChangeKind::GateChanged {
            from: vec![],
            to: vec!["unstable-op".to_owned()]
        }
    )));
    assert!(kinds.contains(&(
        true,
        ChangeKind::EnumValueFeatureChanged {
            value: "blue".to_owned(),
            variant: "BLUE".to_owned(),
            from: None,
            to: Some("unstable-blue".to_owned())
        }
    )));
    // Out from behind them: there for everyone, nothing breaks.
    let kinds = changes(&gated, &plain);
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(kinds.iter().all(|(breaking, _)| !breaking), "{kinds:?}");
    // A request type's gate is its operation's: reported once.
    let mut request_gated = with(Some("unstable-op"), &[], None);
    request_gated.types[0].features = vec!["unstable-op".to_owned()];
    assert_eq!(changes(&plain, &request_gated).len(), 1);
}

#[test]
fn auth_relaxed_or_swapped_is_not_breaking() {
    let with = |auth: Auth| api(|op| op.auth = auth, vec![]);
    for (from, to, breaking) in [
        (Auth::AccessToken, Auth::None, false),
        (Auth::AccessToken, Auth::OptionalAccessToken, false),
        (Auth::AccessToken, Auth::AppserviceToken, false),
        (Auth::OptionalAccessToken, Auth::AccessToken, true),
        (Auth::None, Auth::AppserviceToken, true),
        (Auth::None, Auth::OptionalAccessToken, false),
    ] {
        let kinds = changes(&with(from), &with(to));
        assert_eq!(
            kinds,
            [(
                breaking,
                ChangeKind::AuthChanged {
                    from: from.into(),
                    to: to.into()
                }
            )],
            "{from:?} → {to:?}"
        );
    }
}

#[test]
fn a_type_that_changes_kind_is_one_change() {
    let s = Struct {
        fields: vec![field("f", true, None)],
        ..Struct::default()
    };
    let old = api(|_| {}, vec![def("T", TypeKind::Struct(s))]);
    let new = api(|_| {}, vec![def("T", TypeKind::StringEnum(Vec::new()))]);
    assert_eq!(
        changes(&old, &new),
        [(
            true,
            ChangeKind::TypeKindChanged {
                from: "struct",
                to: "string enum"
            }
        )]
    );
    assert!(compare(&old, &old).changes.is_empty());
}
