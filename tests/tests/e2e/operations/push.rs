//! Push: pushers, push rules and the notifications they produce.

use matrix_csapi::notifications::GetNotificationsRequest;
use matrix_csapi::pusher::{GetPushersRequest, PostPusherRequest, PostPusherRequestData};
use matrix_csapi::pushrules::{
    DeletePushRuleRequest, GetPushRuleActionsRequest, GetPushRuleRequest,
    GetPushRulesGlobalRequest, GetPushRulesRequest, IsPushRuleEnabledRequest, PushRuleKind,
    SetPushRuleActionsRequest, SetPushRuleActionsRequestBody, SetPushRuleEnabledRequest,
    SetPushRuleEnabledRequestBody, SetPushRuleRequest, SetPushRuleRequestBody,
};
use matrix_csapi::types::PushRuleAction;
use serde_json::json;

use super::account::{Users, object};
use super::harness::{Harness, Typed, text_body};
use super::rooms::Rooms;

const RULE: &str = "ops-deploy";

pub async fn run(h: &mut Harness, users: &Users, rooms: &Rooms) {
    let alice = &users.alice;

    // A pusher whose gateway is a closed loopback port: Synapse's default
    // IP blacklist keeps it from even trying.
    let mut pusher = PostPusherRequest::new(
        "alice-pushkey".to_owned(),
        Some("http".to_owned()),
        "org.example.ops".to_owned(),
    );
    pusher.app_display_name = Some("Ops".to_owned());
    pusher.device_display_name = Some("Alice's laptop".to_owned());
    pusher.lang = Some("en".to_owned());
    let mut data = PostPusherRequestData::new();
    data.url = Some("http://127.0.0.1:9/_matrix/push/v1/notify".to_owned());
    pusher.data = Some(data);
    h.call(
        Some(alice),
        pusher,
        "listed afterwards; kind null removes it again",
    )
    .await;
    let pushers = h
        .call(
            Some(alice),
            GetPushersRequest::new(),
            "the pusher set, with its gateway URL",
        )
        .await;
    if let Some(pushers) = pushers {
        let pushers = pushers.pushers.unwrap_or_default();
        assert_eq!(pushers.len(), 1);
        assert_eq!(pushers[0].pushkey, "alice-pushkey");
        assert_eq!(
            pushers[0].data.url.as_deref(),
            Some("http://127.0.0.1:9/_matrix/push/v1/notify")
        );
    }
    let remove = PostPusherRequest::new(
        "alice-pushkey".to_owned(),
        None,
        "org.example.ops".to_owned(),
    );
    h.call(Some(alice), remove, "").await;
    let pushers = h.call(Some(alice), GetPushersRequest::new(), "").await;
    if let Some(pushers) = pushers {
        assert!(pushers.pushers.unwrap_or_default().is_empty());
    }

    let all = h
        .call(
            Some(alice),
            GetPushRulesRequest::new(),
            "the server-default rules (.m.rule.master, ...)",
        )
        .await;
    if let Some(all) = all {
        let overrides = all.global.override_.unwrap_or_default();
        assert!(
            overrides
                .iter()
                .any(|rule| rule.rule_id == ".m.rule.master")
        );
    }
    let global = h
        .call(
            Some(alice),
            GetPushRulesGlobalRequest::new(),
            "the same default rules",
        )
        .await;
    if let Some(global) = global {
        assert!(
            global
                .underride
                .unwrap_or_default()
                .iter()
                .any(|rule| rule.rule_id == ".m.rule.message")
        );
    }

    let mut body = SetPushRuleRequestBody::new(vec![
        PushRuleAction::String("notify".to_owned()),
        PushRuleAction::Object(object(json!({"set_tweak": "highlight"}))),
    ]);
    body.pattern = Some("deploy".to_owned());
    h.call(
        Some(alice),
        SetPushRuleRequest::new(PushRuleKind::Content, RULE.to_owned(), body),
        "read back with its pattern and actions",
    )
    .await;
    let rule = h
        .call(
            Some(alice),
            GetPushRuleRequest::new(PushRuleKind::Content, RULE.to_owned()),
            "the pattern set, not a default rule",
        )
        .await;
    let read_actions = rule.map(|rule| {
        assert_eq!(rule.pattern.as_deref(), Some("deploy"));
        assert!(!rule.default);
        assert!(rule.enabled);
        rule.actions
    });
    h.call(
        Some(alice),
        SetPushRuleEnabledRequest::new(
            PushRuleKind::Content,
            RULE.to_owned(),
            SetPushRuleEnabledRequestBody::new(false),
        ),
        "read back as disabled",
    )
    .await;
    let enabled = h
        .call(
            Some(alice),
            IsPushRuleEnabledRequest::new(PushRuleKind::Content, RULE.to_owned()),
            "false after disabling",
        )
        .await;
    assert_eq!(enabled.map(|e| e.enabled), Some(false));
    h.call(
        Some(alice),
        SetPushRuleActionsRequest::new(
            PushRuleKind::Content,
            RULE.to_owned(),
            SetPushRuleActionsRequestBody::new(vec![PushRuleAction::String("notify".to_owned())]),
        ),
        "read back",
    )
    .await;
    let actions = h
        .call(
            Some(alice),
            GetPushRuleActionsRequest::new(PushRuleKind::Content, RULE.to_owned()),
            "only notify after the change",
        )
        .await;
    if let Some(actions) = actions {
        assert_eq!(actions.actions.len(), 1);
    }
    // Actions read from one operation are the type another takes: the
    // rule's actions go back as read, no conversion.
    if let Some(read_actions) = read_actions {
        h.call(
            Some(alice),
            SetPushRuleActionsRequest::new(
                PushRuleKind::Content,
                RULE.to_owned(),
                SetPushRuleActionsRequestBody::new(read_actions.clone()),
            ),
            "the actions read with the rule, restored",
        )
        .await;
        let restored = h
            .call(
                Some(alice),
                GetPushRuleActionsRequest::new(PushRuleKind::Content, RULE.to_owned()),
                "notify and highlight again",
            )
            .await;
        assert_eq!(restored.map(|r| r.actions), Some(read_actions));
    }
    h.call(
        Some(alice),
        DeletePushRuleRequest::new(PushRuleKind::Content, RULE.to_owned()),
        "the rule is gone afterwards",
    )
    .await;
    h.expect_error(
        Some(alice),
        GetPushRuleRequest::new(PushRuleKind::Content, RULE.to_owned()),
        404,
        "M_NOT_FOUND",
        "",
    )
    .await;

    let notifications = h
        .call(
            Some(alice),
            GetNotificationsRequest::new(),
            "bob's mention of alice is a highlighted notification in the lobby",
        )
        .await;
    if let Some(notifications) = notifications {
        let mention = notifications
            .notifications
            .iter()
            .find(|n| text_body(&n.event.typed().content) == Some("hi alice"));
        let mention = mention.expect("a notification for the mention");
        assert_eq!(mention.room_id, rooms.lobby);
        assert_eq!(mention.event.typed().sender, users.bob.user_id);
    }
}
