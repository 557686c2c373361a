//! The experimental endpoint of the generator's `experimental` fixture
//! (an overlay adds `PUT /_matrix/client/unstable/org.example.msc9999/rooms/{roomId}/widget_layout`
//! behind `unstable-msc9999`), called through its generated crate over
//! real HTTP on 127.0.0.1, with the feature on. `.ci/run` also builds the
//! crate without it; `generator/tests/experimental.rs` checks the gates.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use matrix_csapi_fixture_experimental::widgets::{
    GetWidgetRequest, SetWidgetLayoutError, SetWidgetLayoutRequest, WidgetKind, WidgetLayout,
};
use matrix_csapi_fixture_experimental::{AccessToken, Client, Endpoint};
use matrix_csapi_tests::{LoopbackServer, ScriptedResponse};
use serde_json::json;

/// Upper bound for any single exchange, so that no test can hang.
const LIMIT: Duration = Duration::from_secs(20);

async fn client(responses: Vec<ScriptedResponse>) -> (LoopbackServer, Client) {
    let server = LoopbackServer::start(responses).await.unwrap();
    let client = Client::from(server.client(LIMIT));
    client.set_access_token(Some(AccessToken::new("syt_fixture_token")));
    (server, client)
}

#[tokio::test]
async fn the_unstable_endpoint_is_sent_under_its_own_prefix() {
    let (server, client) = client(vec![ScriptedResponse::json(200, &json!({"version": 7}))]).await;
    let mut layout = WidgetLayout::new(vec!["w1".to_owned(), "w2".to_owned()]);
    layout.orientation = Some("vertical".into());
    let response = client
        .set_widget_layout(SetWidgetLayoutRequest::new(
            "!r:example.org".to_owned(),
            layout,
        ))
        .await
        .unwrap();
    assert_eq!(response.version, 7);
    let request = server.single_request();
    assert_eq!(request.method, "PUT");
    assert_eq!(
        request.path(),
        "/_matrix/client/unstable/org.example.msc9999/rooms/%21r%3Aexample.org/widget_layout"
    );
    assert_eq!(
        request.header("authorization"),
        Some("Bearer syt_fixture_token")
    );
    assert_eq!(
        request.body_json(),
        Some(json!({"widgets": ["w1", "w2"], "orientation": "vertical"}))
    );
    assert_eq!(
        SetWidgetLayoutRequest::METADATA.path_template,
        "/_matrix/client/unstable/org.example.msc9999/rooms/{roomId}/widget_layout"
    );
}

#[tokio::test]
async fn its_documented_error_is_typed() {
    let (_server, client) = client(vec![ScriptedResponse::json(
        409,
        &json!({"current_version": 8}),
    )])
    .await;
    let request =
        SetWidgetLayoutRequest::new("!r:example.org".to_owned(), WidgetLayout::new(vec![]));
    let error = client.set_widget_layout(request).await.unwrap_err();
    match error.endpoint_error() {
        Some(SetWidgetLayoutError::Conflict(conflict)) => assert_eq!(conflict.current_version, 8),
        other => panic!("not the 409 outcome: {other:?}"),
    }
}

#[tokio::test]
async fn the_stable_type_carries_the_experimental_field_and_enum_value() {
    let widget = json!({
        "kind": "org.example.msc9999.board",
        "url": "https://widgets.example.org/board",
        "org.example.msc9999.layout": {"widgets": ["w1"]},
    });
    let (_server, client) = client(vec![ScriptedResponse::json(200, &widget)]).await;
    let got = client
        .get_widget(GetWidgetRequest::new(
            "!r:example.org".to_owned(),
            "w1".to_owned(),
        ))
        .await
        .unwrap();
    assert_eq!(got.kind, WidgetKind::OrgExampleMsc9999Board);
    assert_eq!(got.layout.unwrap().widgets, ["w1"]);
    assert!(got.additional_properties.is_empty());
}

/// MSC9999's own event type (gated whole) is sent with the fixture's typed
/// state constructor, and its field on the stable `m.widget` content (added
/// by an overlay) goes on the wire under its namespaced name.
#[tokio::test]
async fn the_experimental_event_type_and_field_are_sent_typed() {
    use matrix_csapi_fixture_experimental::events::{
        OrgExampleMsc9999WidgetBoardEventContent, WidgetEventContent,
    };
    let (server, client) = client(vec![
        ScriptedResponse::json(200, &json!({"event_id": "$board"})),
        ScriptedResponse::json(200, &json!({"event_id": "$widget"})),
    ])
    .await;
    let board = OrgExampleMsc9999WidgetBoardEventContent::new(3);
    client
        .set_widget_state_with_content("!r:example.org".to_owned(), String::new(), &board)
        .await
        .unwrap();
    let mut widget = WidgetEventContent::new("https://widgets.example.org/w1".to_owned());
    widget.position = Some(2);
    client
        .set_widget_state_with_content("!r:example.org".to_owned(), "w1".to_owned(), &widget)
        .await
        .unwrap();
    let requests = server.requests();
    let sent: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.path(), std::str::from_utf8(&r.body).unwrap()))
        .collect();
    assert_eq!(
        sent,
        [
            (
                "/_matrix/client/v3/rooms/%21r%3Aexample.org/state/org.example.msc9999.widget_board/",
                r#"{"columns":3}"#
            ),
            (
                "/_matrix/client/v3/rooms/%21r%3Aexample.org/state/m.widget/w1",
                r#"{"url":"https://widgets.example.org/w1","org.example.msc9999.position":2}"#
            ),
        ]
    );
}

/// Copies the directory tree `from` to `to`.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// MSC9999's example event is the project's own file (`[events.project]`),
/// its base event the spec's example: merged, its content round-trips
/// through the generated content type of its event type.
#[test]
fn the_project_example_event_round_trips_through_its_content_type() {
    use matrix_csapi_codegen::{Project, event_examples};
    use matrix_csapi_fixture_experimental::events::OrgExampleMsc9999WidgetBoardEventContent;
    use matrix_csapi_fixture_experimental::runtime::EventContent;

    let fixture = matrix_csapi_tests::workspace_dir().join("generator/tests/fixtures/experimental");
    // A spec checkout has its files under `data/`; the fixture under
    // `spec-tree/` (so nobody takes it for the Matrix spec).
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture.join("spec-tree"), &dir.path().join("data"));
    copy_dir(&fixture.join("project"), &dir.path().join("project"));
    let project = Project {
        spec_config_dir: dir.path().join("project"),
    };
    let examples = event_examples(dir.path(), &project).unwrap();
    assert_eq!(examples.len(), 1);
    let event = &examples[0].value;
    assert_eq!(
        event["type"],
        OrgExampleMsc9999WidgetBoardEventContent::EVENT_TYPE
    );
    assert_eq!(event["sender"], "@example:example.org");
    let content: OrgExampleMsc9999WidgetBoardEventContent =
        serde_json::from_value(event["content"].clone()).unwrap();
    assert_eq!(content.columns, 3);
    assert_eq!(serde_json::to_value(&content).unwrap(), event["content"]);
}
