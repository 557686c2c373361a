//! Compile-time checks of typed sending: a typed request takes only
//! contents that may be sent where it sends them (the runtime's marker
//! traits, which each generated content implements per its kind).
//!
//! The first block sends each content where it fits and compiles. Each
//! `compile_fail` block after it has the same (hidden) setup and one call
//! of the same constructors with a content that does not fit, so the
//! content is the only thing that can make it fail. (Stable rustdoc does
//! not check the error code of a `compile_fail` block; the error is
//! E0277, the bound `MessageLikeEventContent`, ... not satisfied.) Checked
//! once the other way round: with the fitting content in each call, every
//! `compile_fail` block compiles, and the doc tests fail.
//!
//! ```
//! # use std::collections::BTreeMap;
//! # use matrix_csapi::{RoomId, UserId};
//! # use matrix_csapi::account_data::SetAccountDataRequest;
//! # use matrix_csapi::events::{
//! #     DirectEventContent, EventContentAction, RoomKeyRequestEventContent, RoomMemberEventContent,
//! #     RoomMessageEventContent, RoomMessageTextContent,
//! # };
//! # use matrix_csapi::room_send::SendMessageRequest;
//! # use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
//! # use matrix_csapi::to_device::SendToDeviceRequest;
//! # use matrix_csapi::types::Membership;
//! # let room = RoomId::parse("!room:example.org").unwrap();
//! # let me = UserId::parse("@me:example.org").unwrap();
//! # let them = UserId::parse("@them:example.org").unwrap();
//! # let message = RoomMessageEventContent::Text(RoomMessageTextContent::new("hi".to_owned()));
//! # let member = RoomMemberEventContent::new(Membership::Join);
//! # let direct = DirectEventContent(BTreeMap::new());
//! # let key_request = RoomKeyRequestEventContent::new(
//! #     EventContentAction::RequestCancellation, "DEV".to_owned(), "r1".to_owned());
//! # fn to_devices<C>(them: &UserId, content: C) -> BTreeMap<UserId, BTreeMap<String, C>> {
//! #     BTreeMap::from([(them.clone(), BTreeMap::from([("*".to_owned(), content)]))])
//! # }
//! SendMessageRequest::with_content(room.clone(), "txn".to_owned(), &message)?;
//! SetRoomStateWithKeyRequest::with_content(room.clone(), me.to_string(), &member)?;
//! SetAccountDataRequest::with_content(me.clone(), &direct)?;
//! SendToDeviceRequest::with_content("txn".to_owned(), &to_devices(&them, key_request))?;
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! A state content (`m.room.member`) is not sent as a message:
//!
//! ```compile_fail
//! # use std::collections::BTreeMap;
//! # use matrix_csapi::{RoomId, UserId};
//! # use matrix_csapi::account_data::SetAccountDataRequest;
//! # use matrix_csapi::events::{
//! #     DirectEventContent, EventContentAction, RoomKeyRequestEventContent, RoomMemberEventContent,
//! #     RoomMessageEventContent, RoomMessageTextContent,
//! # };
//! # use matrix_csapi::room_send::SendMessageRequest;
//! # use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
//! # use matrix_csapi::to_device::SendToDeviceRequest;
//! # use matrix_csapi::types::Membership;
//! # let room = RoomId::parse("!room:example.org").unwrap();
//! # let me = UserId::parse("@me:example.org").unwrap();
//! # let them = UserId::parse("@them:example.org").unwrap();
//! # let message = RoomMessageEventContent::Text(RoomMessageTextContent::new("hi".to_owned()));
//! # let member = RoomMemberEventContent::new(Membership::Join);
//! # let direct = DirectEventContent(BTreeMap::new());
//! # let key_request = RoomKeyRequestEventContent::new(
//! #     EventContentAction::RequestCancellation, "DEV".to_owned(), "r1".to_owned());
//! # fn to_devices<C>(them: &UserId, content: C) -> BTreeMap<UserId, BTreeMap<String, C>> {
//! #     BTreeMap::from([(them.clone(), BTreeMap::from([("*".to_owned(), content)]))])
//! # }
//! SendMessageRequest::with_content(room.clone(), "txn".to_owned(), &member)?;
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! A message is not state:
//!
//! ```compile_fail
//! # use std::collections::BTreeMap;
//! # use matrix_csapi::{RoomId, UserId};
//! # use matrix_csapi::account_data::SetAccountDataRequest;
//! # use matrix_csapi::events::{
//! #     DirectEventContent, EventContentAction, RoomKeyRequestEventContent, RoomMemberEventContent,
//! #     RoomMessageEventContent, RoomMessageTextContent,
//! # };
//! # use matrix_csapi::room_send::SendMessageRequest;
//! # use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
//! # use matrix_csapi::to_device::SendToDeviceRequest;
//! # use matrix_csapi::types::Membership;
//! # let room = RoomId::parse("!room:example.org").unwrap();
//! # let me = UserId::parse("@me:example.org").unwrap();
//! # let them = UserId::parse("@them:example.org").unwrap();
//! # let message = RoomMessageEventContent::Text(RoomMessageTextContent::new("hi".to_owned()));
//! # let member = RoomMemberEventContent::new(Membership::Join);
//! # let direct = DirectEventContent(BTreeMap::new());
//! # let key_request = RoomKeyRequestEventContent::new(
//! #     EventContentAction::RequestCancellation, "DEV".to_owned(), "r1".to_owned());
//! # fn to_devices<C>(them: &UserId, content: C) -> BTreeMap<UserId, BTreeMap<String, C>> {
//! #     BTreeMap::from([(them.clone(), BTreeMap::from([("*".to_owned(), content)]))])
//! # }
//! SetRoomStateWithKeyRequest::with_content(room.clone(), me.to_string(), &message)?;
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Neither is account data:
//!
//! ```compile_fail
//! # use std::collections::BTreeMap;
//! # use matrix_csapi::{RoomId, UserId};
//! # use matrix_csapi::account_data::SetAccountDataRequest;
//! # use matrix_csapi::events::{
//! #     DirectEventContent, EventContentAction, RoomKeyRequestEventContent, RoomMemberEventContent,
//! #     RoomMessageEventContent, RoomMessageTextContent,
//! # };
//! # use matrix_csapi::room_send::SendMessageRequest;
//! # use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
//! # use matrix_csapi::to_device::SendToDeviceRequest;
//! # use matrix_csapi::types::Membership;
//! # let room = RoomId::parse("!room:example.org").unwrap();
//! # let me = UserId::parse("@me:example.org").unwrap();
//! # let them = UserId::parse("@them:example.org").unwrap();
//! # let message = RoomMessageEventContent::Text(RoomMessageTextContent::new("hi".to_owned()));
//! # let member = RoomMemberEventContent::new(Membership::Join);
//! # let direct = DirectEventContent(BTreeMap::new());
//! # let key_request = RoomKeyRequestEventContent::new(
//! #     EventContentAction::RequestCancellation, "DEV".to_owned(), "r1".to_owned());
//! # fn to_devices<C>(them: &UserId, content: C) -> BTreeMap<UserId, BTreeMap<String, C>> {
//! #     BTreeMap::from([(them.clone(), BTreeMap::from([("*".to_owned(), content)]))])
//! # }
//! SetAccountDataRequest::with_content(me.clone(), &member)?;
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! A room message is not sent to devices:
//!
//! ```compile_fail
//! # use std::collections::BTreeMap;
//! # use matrix_csapi::{RoomId, UserId};
//! # use matrix_csapi::account_data::SetAccountDataRequest;
//! # use matrix_csapi::events::{
//! #     DirectEventContent, EventContentAction, RoomKeyRequestEventContent, RoomMemberEventContent,
//! #     RoomMessageEventContent, RoomMessageTextContent,
//! # };
//! # use matrix_csapi::room_send::SendMessageRequest;
//! # use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
//! # use matrix_csapi::to_device::SendToDeviceRequest;
//! # use matrix_csapi::types::Membership;
//! # let room = RoomId::parse("!room:example.org").unwrap();
//! # let me = UserId::parse("@me:example.org").unwrap();
//! # let them = UserId::parse("@them:example.org").unwrap();
//! # let message = RoomMessageEventContent::Text(RoomMessageTextContent::new("hi".to_owned()));
//! # let member = RoomMemberEventContent::new(Membership::Join);
//! # let direct = DirectEventContent(BTreeMap::new());
//! # let key_request = RoomKeyRequestEventContent::new(
//! #     EventContentAction::RequestCancellation, "DEV".to_owned(), "r1".to_owned());
//! # fn to_devices<C>(them: &UserId, content: C) -> BTreeMap<UserId, BTreeMap<String, C>> {
//! #     BTreeMap::from([(them.clone(), BTreeMap::from([("*".to_owned(), content)]))])
//! # }
//! SendToDeviceRequest::with_content("txn".to_owned(), &to_devices(&them, message))?;
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Account data (`m.direct`, which arrives in `/sync`'s `account_data`) is not sent to devices:
//!
//! ```compile_fail
//! # use std::collections::BTreeMap;
//! # use matrix_csapi::{RoomId, UserId};
//! # use matrix_csapi::account_data::SetAccountDataRequest;
//! # use matrix_csapi::events::{
//! #     DirectEventContent, EventContentAction, RoomKeyRequestEventContent, RoomMemberEventContent,
//! #     RoomMessageEventContent, RoomMessageTextContent,
//! # };
//! # use matrix_csapi::room_send::SendMessageRequest;
//! # use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
//! # use matrix_csapi::to_device::SendToDeviceRequest;
//! # use matrix_csapi::types::Membership;
//! # let room = RoomId::parse("!room:example.org").unwrap();
//! # let me = UserId::parse("@me:example.org").unwrap();
//! # let them = UserId::parse("@them:example.org").unwrap();
//! # let message = RoomMessageEventContent::Text(RoomMessageTextContent::new("hi".to_owned()));
//! # let member = RoomMemberEventContent::new(Membership::Join);
//! # let direct = DirectEventContent(BTreeMap::new());
//! # let key_request = RoomKeyRequestEventContent::new(
//! #     EventContentAction::RequestCancellation, "DEV".to_owned(), "r1".to_owned());
//! # fn to_devices<C>(them: &UserId, content: C) -> BTreeMap<UserId, BTreeMap<String, C>> {
//! #     BTreeMap::from([(them.clone(), BTreeMap::from([("*".to_owned(), content)]))])
//! # }
//! SendToDeviceRequest::with_content("txn".to_owned(), &to_devices(&them, direct))?;
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! nor into a room's timeline:
//!
//! ```compile_fail
//! # use std::collections::BTreeMap;
//! # use matrix_csapi::{RoomId, UserId};
//! # use matrix_csapi::account_data::SetAccountDataRequest;
//! # use matrix_csapi::events::{
//! #     DirectEventContent, EventContentAction, RoomKeyRequestEventContent, RoomMemberEventContent,
//! #     RoomMessageEventContent, RoomMessageTextContent,
//! # };
//! # use matrix_csapi::room_send::SendMessageRequest;
//! # use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
//! # use matrix_csapi::to_device::SendToDeviceRequest;
//! # use matrix_csapi::types::Membership;
//! # let room = RoomId::parse("!room:example.org").unwrap();
//! # let me = UserId::parse("@me:example.org").unwrap();
//! # let them = UserId::parse("@them:example.org").unwrap();
//! # let message = RoomMessageEventContent::Text(RoomMessageTextContent::new("hi".to_owned()));
//! # let member = RoomMemberEventContent::new(Membership::Join);
//! # let direct = DirectEventContent(BTreeMap::new());
//! # let key_request = RoomKeyRequestEventContent::new(
//! #     EventContentAction::RequestCancellation, "DEV".to_owned(), "r1".to_owned());
//! # fn to_devices<C>(them: &UserId, content: C) -> BTreeMap<UserId, BTreeMap<String, C>> {
//! #     BTreeMap::from([(them.clone(), BTreeMap::from([("*".to_owned(), content)]))])
//! # }
//! SendMessageRequest::with_content(room.clone(), "txn".to_owned(), &direct)?;
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! A to-device message (`m.room_key_request`) is not account data:
//!
//! ```compile_fail
//! # use std::collections::BTreeMap;
//! # use matrix_csapi::{RoomId, UserId};
//! # use matrix_csapi::account_data::SetAccountDataRequest;
//! # use matrix_csapi::events::{
//! #     DirectEventContent, EventContentAction, RoomKeyRequestEventContent, RoomMemberEventContent,
//! #     RoomMessageEventContent, RoomMessageTextContent,
//! # };
//! # use matrix_csapi::room_send::SendMessageRequest;
//! # use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
//! # use matrix_csapi::to_device::SendToDeviceRequest;
//! # use matrix_csapi::types::Membership;
//! # let room = RoomId::parse("!room:example.org").unwrap();
//! # let me = UserId::parse("@me:example.org").unwrap();
//! # let them = UserId::parse("@them:example.org").unwrap();
//! # let message = RoomMessageEventContent::Text(RoomMessageTextContent::new("hi".to_owned()));
//! # let member = RoomMemberEventContent::new(Membership::Join);
//! # let direct = DirectEventContent(BTreeMap::new());
//! # let key_request = RoomKeyRequestEventContent::new(
//! #     EventContentAction::RequestCancellation, "DEV".to_owned(), "r1".to_owned());
//! # fn to_devices<C>(them: &UserId, content: C) -> BTreeMap<UserId, BTreeMap<String, C>> {
//! #     BTreeMap::from([(them.clone(), BTreeMap::from([("*".to_owned(), content)]))])
//! # }
//! SetAccountDataRequest::with_content(me.clone(), &key_request)?;
//! # Ok::<(), serde_json::Error>(())
//! ```
