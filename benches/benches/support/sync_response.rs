//! A large `/sync` response shaped like Synapse's (BENCHMARKS.md, section
//! 2, "events"), made by code from a fixed seed so every run parses the
//! same bytes without a megabyte of JSON checked in.
//!
//! What Synapse sends and this copies (its `/sync` v3 serializer, client
//! event format): joined rooms with `summary` (`m.heroes`, member counts),
//! `unread_notifications`, `unread_thread_notifications`, a limited
//! `timeline` with `prev_batch`, `state` (the state before the timeline),
//! `ephemeral` (`m.typing`, `m.receipt`) and room `account_data`
//! (`m.fully_read`, `m.tag`); invited and left rooms; global
//! `account_data` (`m.push_rules` with the default rule set, `m.direct`,
//! ...), `to_device` (Olm-encrypted), `presence`, `device_lists`,
//! `device_one_time_keys_count` and `device_unused_fallback_key_types`.
//! Every room event carries `unsigned` with `age` and `membership`
//! (MSC4115), the syncing user's own events also `transaction_id`, state
//! events that replace earlier state `replaces_state`, `prev_content` and
//! `prev_sender`. Rooms are version 11: redactions carry `redacts` in
//! `content` and, for older clients, at the top level too; a redacted
//! message has empty `content` and `unsigned.redacted_because`.
//!
//! The timeline mixes text (plain, HTML-formatted, with mentions), notices,
//! emotes, images (with thumbnails and blurhash), replies, thread replies,
//! edits (`m.new_content`), reactions, redactions, redacted messages,
//! Megolm-encrypted events and state changes (member joins, display name
//! changes, power levels, name, topic), plus one event type no spec
//! defines, as clients do send.

use serde_json::{Map, Value, json};

/// The syncing user.
pub const ME: &str = "@alice:example.org";

const SERVERS: [&str; 4] = ["example.org", "matrix.org", "chat.example.net", "kde.org"];
const WORDS: [&str; 48] = [
    "the",
    "build",
    "is",
    "green",
    "again",
    "after",
    "we",
    "pinned",
    "tokio",
    "and",
    "reran",
    "sync",
    "tests",
    "on",
    "synapse",
    "please",
    "review",
    "my",
    "branch",
    "when",
    "you",
    "have",
    "time",
    "lunch",
    "today",
    "meeting",
    "moved",
    "to",
    "three",
    "release",
    "notes",
    "draft",
    "looks",
    "good",
    "but",
    "encryption",
    "keys",
    "rotated",
    "overnight",
    "server",
    "restart",
    "federation",
    "lag",
    "fixed",
    "thanks",
    "everyone",
    "ship",
    "it",
];
const NAMES: [&str; 16] = [
    "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj",
    "olivia", "peggy", "rupert", "sybil", "trent",
];
const REACTION_KEYS: [&str; 6] = ["👍", "🎉", "❤️", "😂", "👀", "🚀"];
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Counts of what the response holds, for the report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Shape {
    pub joined_rooms: usize,
    pub invited_rooms: usize,
    pub left_rooms: usize,
    pub timeline_events: usize,
    pub state_events: usize,
    pub ephemeral_events: usize,
    pub room_account_data_events: usize,
    pub account_data_events: usize,
    pub to_device_events: usize,
    pub presence_events: usize,
    pub bytes: usize,
}

/// splitmix64: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len())]
    }

    fn chars(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| char::from(alphabet[self.range(0, alphabet.len())]))
            .collect()
    }

    fn sentence(&mut self, low: usize, high: usize) -> String {
        let words = self.range(low, high);
        let mut out = String::new();
        for i in 0..words {
            if i > 0 {
                out.push(' ');
            }
            let word = *self.pick(&WORDS[..]);
            out.push_str(word);
        }
        out
    }

    /// An event ID as room versions 4 and later make them (`$` and the
    /// URL-safe base64 of a SHA-256 reference hash).
    fn event_id(&mut self) -> String {
        format!("${}", self.chars(BASE64_URL, 43))
    }

    fn mxc(&mut self) -> String {
        format!("mxc://example.org/{}", self.chars(BASE64_URL, 24))
    }

    fn curve_key(&mut self) -> String {
        self.chars(BASE64, 43)
    }
}

/// One room member as the generator tracks it.
#[derive(Clone)]
struct Member {
    user_id: String,
    displayname: String,
}

struct Room {
    room_id: String,
    members: Vec<Member>,
    name: String,
    encrypted: bool,
}

/// The state of a room event stream while its timeline is built.
struct Timeline<'a> {
    rng: &'a mut Rng,
    room: &'a Room,
    /// Timestamp of the next event (ms since the epoch).
    ts: u64,
    now: u64,
    /// Ids of earlier messages (replies, edits, reactions, redactions point
    /// at them) with their sender.
    messages: Vec<(String, String)>,
    events: Vec<Value>,
}

impl Timeline<'_> {
    fn sender(&mut self) -> String {
        self.rng.pick(&self.room.members).user_id.clone()
    }

    /// The envelope Synapse sends for a room event in `/sync`.
    fn push(&mut self, event_type: &str, sender: &str, content: Value, extra: Map<String, Value>) {
        let event_id = self.rng.event_id();
        self.ts += self.rng.range(1_000, 90_000) as u64;
        let mut unsigned = json!({ "age": self.now - self.ts, "membership": "join" });
        if sender == ME {
            unsigned["transaction_id"] = json!(format!("m{}.{}", self.ts, self.rng.range(0, 99)));
        }
        let mut event = json!({
            "type": event_type,
            "sender": sender,
            "content": content,
            "origin_server_ts": self.ts,
            "unsigned": unsigned,
            "event_id": event_id,
        });
        for (key, value) in extra {
            if key == "unsigned" {
                if let (Some(target), Value::Object(fields)) =
                    (event["unsigned"].as_object_mut(), value)
                {
                    target.extend(fields);
                }
            } else {
                event[key] = value;
            }
        }
        if event_type == "m.room.message" || event_type == "m.room.encrypted" {
            self.messages.push((event_id, sender.to_owned()));
        }
        self.events.push(event);
    }

    fn earlier_message(&mut self) -> Option<(String, String)> {
        if self.messages.is_empty() {
            return None;
        }
        Some(self.rng.pick(&self.messages).clone())
    }

    fn text(&mut self) -> Value {
        let body = self.rng.sentence(3, 25);
        match self.rng.range(0, 4) {
            0 => {
                // Formatted with a mention, as Element sends it.
                let member = self.rng.pick(&self.room.members).clone();
                json!({
                    "msgtype": "m.text",
                    "body": format!("{}: {body}", member.displayname),
                    "format": "org.matrix.custom.html",
                    "formatted_body": format!(
                        "<a href=\"https://matrix.to/#/{}\">{}</a>: <b>{body}</b>",
                        member.user_id, member.displayname
                    ),
                    "m.mentions": { "user_ids": [member.user_id] },
                })
            }
            1 => json!({
                "msgtype": "m.text",
                "body": format!("`{body}`"),
                "format": "org.matrix.custom.html",
                "formatted_body": format!("<code>{body}</code>"),
                "m.mentions": {},
            }),
            _ => json!({ "msgtype": "m.text", "body": body, "m.mentions": {} }),
        }
    }

    fn image(&mut self) -> Value {
        let w = self.rng.range(400, 4000);
        let h = self.rng.range(300, 3000);
        let thumbnail_w = 800.min(w);
        json!({
            "msgtype": "m.image",
            "body": format!("IMG_{}.jpg", self.rng.range(1000, 9999)),
            "url": self.rng.mxc(),
            "info": {
                "mimetype": "image/jpeg",
                "size": self.rng.range(50_000, 5_000_000),
                "w": w,
                "h": h,
                "thumbnail_url": self.rng.mxc(),
                "thumbnail_info": {
                    "mimetype": "image/jpeg",
                    "size": self.rng.range(5_000, 80_000),
                    "w": thumbnail_w,
                    "h": thumbnail_w * h / w,
                },
                "xyz.amorgan.blurhash": self.rng.chars(BASE64, 28),
            },
            "m.mentions": {},
        })
    }

    fn encrypted(&mut self) -> Value {
        let len = self.rng.range(200, 900);
        json!({
            "algorithm": "m.megolm.v1.aes-sha2",
            "ciphertext": self.rng.chars(BASE64, len),
            "device_id": self.rng.chars(BASE64_URL[..26].as_ref(), 10),
            "sender_key": self.rng.curve_key(),
            "session_id": self.rng.curve_key(),
        })
    }

    /// One event of a kind picked by weight.
    fn next_event(&mut self) {
        let roll = self.rng.range(0, 100);
        let sender = self.sender();
        let none = Map::new();
        match roll {
            _ if self.room.encrypted && roll < 45 => {
                let content = self.encrypted();
                self.push("m.room.encrypted", &sender, content, none);
            }
            0..=29 => {
                let content = self.text();
                self.push("m.room.message", &sender, content, none);
            }
            30..=35 => {
                let body = self.rng.sentence(4, 16);
                self.push(
                    "m.room.message",
                    &sender,
                    json!({ "msgtype": "m.notice", "body": body, "m.mentions": {} }),
                    none,
                );
            }
            36..=38 => {
                let body = self.rng.sentence(2, 8);
                self.push(
                    "m.room.message",
                    &sender,
                    json!({ "msgtype": "m.emote", "body": body, "m.mentions": {} }),
                    none,
                );
            }
            39..=44 => {
                let content = self.image();
                self.push("m.room.message", &sender, content, none);
            }
            45..=54 => match self.earlier_message() {
                Some((event_id, replied_sender)) => {
                    let body = self.rng.sentence(2, 14);
                    self.push(
                        "m.room.message",
                        &sender,
                        json!({
                            "msgtype": "m.text",
                            "body": body,
                            "format": "org.matrix.custom.html",
                            "formatted_body": format!("<p>{body}</p>"),
                            "m.relates_to": { "m.in_reply_to": { "event_id": event_id } },
                            "m.mentions": { "user_ids": [replied_sender] },
                        }),
                        none,
                    );
                }
                None => self.text_event(&sender),
            },
            55..=59 => match self.earlier_message() {
                Some((root, _)) => {
                    let body = self.rng.sentence(2, 14);
                    let last = self
                        .messages
                        .last()
                        .map(|m| m.0.clone())
                        .unwrap_or_default();
                    self.push(
                        "m.room.message",
                        &sender,
                        json!({
                            "msgtype": "m.text",
                            "body": body,
                            "m.relates_to": {
                                "rel_type": "m.thread",
                                "event_id": root,
                                "is_falling_back": true,
                                "m.in_reply_to": { "event_id": last },
                            },
                            "m.mentions": {},
                        }),
                        none,
                    );
                }
                None => self.text_event(&sender),
            },
            60..=65 => match self.earlier_message() {
                Some((event_id, original_sender)) => {
                    let body = self.rng.sentence(3, 20);
                    self.push(
                        "m.room.message",
                        &original_sender,
                        json!({
                            "msgtype": "m.text",
                            "body": format!(" * {body}"),
                            "m.new_content": { "msgtype": "m.text", "body": body, "m.mentions": {} },
                            "m.relates_to": { "rel_type": "m.replace", "event_id": event_id },
                            "m.mentions": {},
                        }),
                        none,
                    );
                }
                None => self.text_event(&sender),
            },
            66..=79 => match self.earlier_message() {
                Some((event_id, _)) => {
                    let key = *self.rng.pick(&REACTION_KEYS);
                    self.push(
                        "m.reaction",
                        &sender,
                        json!({ "m.relates_to": {
                            "rel_type": "m.annotation", "event_id": event_id, "key": key,
                        }}),
                        none,
                    );
                }
                None => self.text_event(&sender),
            },
            80..=82 => match self.earlier_message() {
                Some((event_id, redacted_sender)) => {
                    let reason = self.rng.sentence(1, 4);
                    let mut extra = Map::new();
                    extra.insert("redacts".to_owned(), json!(event_id));
                    self.push(
                        "m.room.redaction",
                        &redacted_sender,
                        json!({ "redacts": event_id, "reason": reason }),
                        extra,
                    );
                }
                None => self.text_event(&sender),
            },
            83..=85 => self.redacted_message(&sender),
            86..=89 => self.member_change(),
            90..=91 => {
                let name = self.rng.sentence(1, 4);
                let sender = self.room.members[0].user_id.clone();
                self.state_event("m.room.name", "", &sender, json!({ "name": name }));
            }
            92..=93 => {
                let topic = self.rng.sentence(5, 20);
                let sender = self.room.members[0].user_id.clone();
                self.state_event(
                    "m.room.topic",
                    "",
                    &sender,
                    json!({
                        "topic": topic,
                        "m.topic": { "m.text": [{ "body": topic, "mimetype": "text/plain" }] },
                    }),
                );
            }
            94 => {
                let content = power_levels(self.room, self.rng);
                let sender = self.room.members[0].user_id.clone();
                self.state_event("m.room.power_levels", "", &sender, content);
            }
            95 => {
                // An event type no spec defines, as clients send them.
                let sender = self.sender();
                let body = self.rng.sentence(2, 6);
                self.push(
                    "io.element.call.notify",
                    &sender,
                    json!({ "application": "m.call", "notify_type": "ring", "call_id": body,
                            "m.mentions": { "room": true } }),
                    none,
                );
            }
            _ => self.text_event(&sender),
        }
    }

    fn text_event(&mut self, sender: &str) {
        let content = self.text();
        self.push("m.room.message", sender, content, Map::new());
    }

    /// A message redacted before this sync: empty content, the redaction
    /// in `unsigned.redacted_because`.
    fn redacted_message(&mut self, sender: &str) {
        let redaction_id = self.rng.event_id();
        let redacter = self.room.members[0].user_id.clone();
        // Redacted shortly before this sync, after everything in it.
        let ts = self.now - self.rng.range(1_000, 60_000) as u64;
        let mut extra = Map::new();
        extra.insert(
            "unsigned".to_owned(),
            json!({ "redacted_because": {
                "type": "m.room.redaction",
                "sender": redacter,
                "content": { "reason": "spam" },
                "origin_server_ts": ts,
                "event_id": redaction_id,
                "unsigned": { "age": self.now.saturating_sub(ts) },
            }}),
        );
        self.push("m.room.message", sender, json!({}), extra);
        let len = self.events.len();
        let redacted_id = self.events[len - 1]["event_id"].clone();
        self.events[len - 1]["unsigned"]["redacted_because"]["content"]["redacts"] =
            redacted_id.clone();
        self.events[len - 1]["unsigned"]["redacted_because"]["redacts"] = redacted_id;
        // Not a target for replies: its content is gone.
        self.messages.pop();
    }

    fn member_change(&mut self) {
        let member = self.rng.pick(&self.room.members).clone();
        let new_name = format!("{} ({})", member.displayname, self.rng.pick(&WORDS));
        let avatar = self.rng.mxc();
        let prev_sender = member.user_id.clone();
        let mut extra = Map::new();
        extra.insert(
            "unsigned".to_owned(),
            json!({
                "replaces_state": self.rng.event_id(),
                "prev_content": { "membership": "join", "displayname": member.displayname },
                "prev_sender": prev_sender,
            }),
        );
        extra.insert("state_key".to_owned(), json!(member.user_id));
        self.push(
            "m.room.member",
            &member.user_id,
            json!({ "membership": "join", "displayname": new_name, "avatar_url": avatar }),
            extra,
        );
    }

    fn state_event(&mut self, event_type: &str, state_key: &str, sender: &str, content: Value) {
        let mut extra = Map::new();
        extra.insert("state_key".to_owned(), json!(state_key));
        extra.insert(
            "unsigned".to_owned(),
            json!({ "replaces_state": self.rng.event_id(), "prev_sender": sender }),
        );
        self.push(event_type, sender, content, extra);
    }
}

fn power_levels(room: &Room, rng: &mut Rng) -> Value {
    let mut users = Map::new();
    users.insert(room.members[0].user_id.clone(), json!(100));
    for member in room.members.iter().skip(1).take(3) {
        users.insert(member.user_id.clone(), json!(*rng.pick(&[0, 50])));
    }
    json!({
        "users": users,
        "users_default": 0,
        "events": {
            "m.room.name": 50, "m.room.power_levels": 100, "m.room.history_visibility": 100,
            "m.room.canonical_alias": 50, "m.room.avatar": 50, "m.room.tombstone": 100,
            "m.room.server_acl": 100, "m.room.encryption": 100, "m.room.topic": 50,
            "m.room.pinned_events": 50, "m.reaction": 0, "m.room.redaction": 0,
            "org.matrix.msc3401.call": 50, "org.matrix.msc3401.call.member": 0,
            "im.vector.modular.widgets": 50, "io.element.voice_broadcast_info": 50,
        },
        "events_default": 0,
        "state_default": 50,
        "ban": 50,
        "kick": 50,
        "redact": 50,
        "invite": 0,
        "historical": 100,
        "notifications": { "room": 50 },
    })
}

/// A state event as it appears in `state` (no `prev_content`: Synapse
/// sends the current state there).
fn state(
    rng: &mut Rng,
    ts: &mut u64,
    now: u64,
    event_type: &str,
    state_key: &str,
    sender: &str,
    content: Value,
) -> Value {
    *ts += rng.range(100, 5_000) as u64;
    json!({
        "type": event_type,
        "state_key": state_key,
        "sender": sender,
        "content": content,
        "origin_server_ts": *ts,
        "unsigned": { "age": now - *ts, "membership": "join" },
        "event_id": rng.event_id(),
    })
}

fn room_state(rng: &mut Rng, room: &Room, now: u64, ts: &mut u64) -> Vec<Value> {
    let creator = room.members[0].user_id.as_str();
    let levels = power_levels(room, rng);
    let mut events = vec![
        state(
            rng,
            ts,
            now,
            "m.room.create",
            "",
            creator,
            json!({ "room_version": "11" }),
        ),
        state(rng, ts, now, "m.room.power_levels", "", creator, levels),
        state(
            rng,
            ts,
            now,
            "m.room.join_rules",
            "",
            creator,
            json!({ "join_rule": "invite" }),
        ),
        state(
            rng,
            ts,
            now,
            "m.room.history_visibility",
            "",
            creator,
            json!({ "history_visibility": "shared" }),
        ),
        state(
            rng,
            ts,
            now,
            "m.room.guest_access",
            "",
            creator,
            json!({ "guest_access": "can_join" }),
        ),
        state(
            rng,
            ts,
            now,
            "m.room.name",
            "",
            creator,
            json!({ "name": room.name }),
        ),
    ];
    let topic = rng.sentence(6, 20);
    events.push(state(
        rng,
        ts,
        now,
        "m.room.topic",
        "",
        creator,
        json!({ "topic": topic }),
    ));
    let avatar = rng.mxc();
    events.push(state(
        rng,
        ts,
        now,
        "m.room.avatar",
        "",
        creator,
        json!({ "url": avatar }),
    ));
    if room.encrypted {
        events.push(state(
            rng,
            ts,
            now,
            "m.room.encryption",
            "",
            creator,
            json!({ "algorithm": "m.megolm.v1.aes-sha2", "rotation_period_ms": 604800000,
                    "rotation_period_msgs": 100 }),
        ));
    }
    for member in &room.members {
        let avatar = rng.mxc();
        events.push(state(
            rng,
            ts,
            now,
            "m.room.member",
            &member.user_id,
            &member.user_id,
            json!({ "membership": "join", "displayname": member.displayname, "avatar_url": avatar }),
        ));
    }
    events
}

fn ephemeral(rng: &mut Rng, room: &Room, timeline: &[Value], now: u64) -> Vec<Value> {
    let typing: Vec<&str> = room
        .members
        .iter()
        .skip(1)
        .take(rng.range(0, 3))
        .map(|m| m.user_id.as_str())
        .collect();
    let mut receipts = Map::new();
    for member in room.members.iter().take(8) {
        let Some(event) = timeline.get(rng.range(0, timeline.len().max(1))) else {
            continue;
        };
        let event_id = event["event_id"].as_str().unwrap_or_default().to_owned();
        let entry = receipts
            .entry(event_id)
            .or_insert_with(|| json!({ "m.read": {} }));
        entry["m.read"][&member.user_id] =
            json!({ "ts": now - rng.range(0, 3_600_000) as u64, "thread_id": "main" });
    }
    vec![
        json!({ "type": "m.typing", "content": { "user_ids": typing } }),
        json!({ "type": "m.receipt", "content": receipts }),
    ]
}

/// Synapse's default push rules (`m.push_rules`), the largest account data
/// event of a fresh account.
fn push_rules() -> Value {
    let override_rules: Vec<Value> = [
        (".m.rule.master", false, json!([])),
        (".m.rule.suppress_notices", true, json!([{ "kind": "event_match", "key": "content.msgtype", "pattern": "m.notice" }])),
        (".m.rule.invite_for_me", true, json!([
            { "kind": "event_match", "key": "type", "pattern": "m.room.member" },
            { "kind": "event_match", "key": "content.membership", "pattern": "invite" },
            { "kind": "event_match", "key": "state_key", "pattern": ME },
        ])),
        (".m.rule.member_event", true, json!([{ "kind": "event_match", "key": "type", "pattern": "m.room.member" }])),
        (".m.rule.is_user_mention", true, json!([{ "kind": "event_property_contains", "key": "content.m\\.mentions.user_ids", "value": ME }])),
        (".m.rule.is_room_mention", true, json!([
            { "kind": "event_property_is", "key": "content.m\\.mentions.room", "value": true },
            { "kind": "sender_notification_permission", "key": "room" },
        ])),
        (".m.rule.tombstone", true, json!([
            { "kind": "event_match", "key": "type", "pattern": "m.room.tombstone" },
            { "kind": "event_match", "key": "state_key", "pattern": "" },
        ])),
        (".m.rule.reaction", true, json!([{ "kind": "event_match", "key": "type", "pattern": "m.reaction" }])),
        (".m.rule.room.server_acl", true, json!([
            { "kind": "event_match", "key": "type", "pattern": "m.room.server_acl" },
            { "kind": "event_match", "key": "state_key", "pattern": "" },
        ])),
        (".m.rule.suppress_edits", true, json!([{ "kind": "event_property_is", "key": "content.m\\.relates_to.rel_type", "value": "m.replace" }])),
    ]
    .into_iter()
    .map(|(rule_id, enabled, conditions)| {
        json!({ "rule_id": rule_id, "default": true, "enabled": enabled,
                "conditions": conditions, "actions": if rule_id == ".m.rule.master" || rule_id.contains("suppress") || rule_id.contains("member") || rule_id.contains("reaction") || rule_id.contains("acl") { json!([]) } else { json!(["notify", { "set_tweak": "highlight" }]) } })
    })
    .collect();
    let underride_rules: Vec<Value> = [
        (".m.rule.call", "m.call.invite", "ring"),
        (".m.rule.room_one_to_one", "m.room.message", "default"),
        (
            ".m.rule.encrypted_room_one_to_one",
            "m.room.encrypted",
            "default",
        ),
        (".m.rule.message", "m.room.message", ""),
        (".m.rule.encrypted", "m.room.encrypted", ""),
    ]
    .into_iter()
    .map(|(rule_id, event_type, sound)| {
        let mut actions = vec![json!("notify")];
        if !sound.is_empty() {
            actions.push(json!({ "set_tweak": "sound", "value": sound }));
        }
        let mut conditions =
            vec![json!({ "kind": "event_match", "key": "type", "pattern": event_type })];
        if rule_id.contains("one_to_one") {
            conditions.insert(0, json!({ "kind": "room_member_count", "is": "2" }));
        }
        json!({ "rule_id": rule_id, "default": true, "enabled": true,
                "conditions": conditions, "actions": actions })
    })
    .collect();
    json!({
        "type": "m.push_rules",
        "content": { "global": {
            "override": override_rules,
            "content": [{
                "rule_id": ".m.rule.contains_user_name", "default": true, "enabled": true,
                "pattern": "alice",
                "actions": ["notify", { "set_tweak": "sound", "value": "default" }, { "set_tweak": "highlight" }],
            }],
            "room": [], "sender": [],
            "underride": underride_rules,
        }},
    })
}

fn user(rng: &mut Rng, index: usize) -> Member {
    let name = NAMES[index % NAMES.len()];
    let server = *rng.pick(&SERVERS);
    Member {
        user_id: format!("@{name}{index}:{server}"),
        displayname: format!("{}{} {}", name[..1].to_uppercase(), &name[1..], index),
    }
}

/// The response body, compact as Synapse writes it, and what it holds.
pub fn generate(seed: u64) -> (String, Shape) {
    let mut rng = Rng(seed);
    let now: u64 = 1_764_806_400_000; // 2025-12-04T00:00:00Z
    let me = Member {
        user_id: ME.to_owned(),
        displayname: "Alice".to_owned(),
    };
    let mut shape = Shape::default();

    let mut join = Map::new();
    let mut all_users: Vec<String> = Vec::new();
    for room_index in 0..40 {
        let member_count = rng.range(3, 40);
        let mut members: Vec<Member> = (0..member_count)
            .map(|i| user(&mut rng, room_index * 7 + i))
            .collect();
        members.push(me.clone());
        let room = Room {
            room_id: format!("!{}:{}", rng.chars(&BASE64[..52], 18), rng.pick(&SERVERS)),
            members,
            name: rng.sentence(1, 4),
            encrypted: room_index % 3 == 0,
        };
        all_users.extend(room.members.iter().map(|m| m.user_id.clone()));
        let mut ts = now - 30 * 86_400_000 - rng.range(0, 86_400_000) as u64;
        let state_events = room_state(&mut rng, &room, now, &mut ts);
        ts = now - 2 * 86_400_000;
        let mut timeline = Timeline {
            rng: &mut rng,
            room: &room,
            ts,
            now,
            messages: Vec::new(),
            events: Vec::new(),
        };
        let events = timeline.rng.range(20, 60);
        for _ in 0..events {
            timeline.next_event();
        }
        let timeline_events = timeline.events;
        let ephemeral = ephemeral(&mut rng, &room, &timeline_events, now);
        let fully_read = timeline_events
            .first()
            .map(|e| e["event_id"].clone())
            .unwrap_or_default();
        let account_data = vec![
            json!({ "type": "m.fully_read", "content": { "event_id": fully_read } }),
            json!({ "type": "m.tag", "content": { "tags": if room_index % 5 == 0 { json!({ "m.favourite": { "order": 0.5 } }) } else { json!({}) } } }),
        ];
        let threads: Map<String, Value> = timeline_events
            .iter()
            .filter_map(|e| {
                e["content"]["m.relates_to"]["rel_type"]
                    .as_str()
                    .filter(|r| *r == "m.thread")
                    .map(|_| e)
            })
            .take(2)
            .map(|e| {
                (
                    e["content"]["m.relates_to"]["event_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    json!({ "highlight_count": 0, "notification_count": 1 }),
                )
            })
            .collect();
        let heroes: Vec<&str> = room
            .members
            .iter()
            .take(5)
            .map(|m| m.user_id.as_str())
            .collect();
        shape.joined_rooms += 1;
        shape.timeline_events += timeline_events.len();
        shape.state_events += state_events.len();
        shape.ephemeral_events += ephemeral.len();
        shape.room_account_data_events += account_data.len();
        join.insert(
            room.room_id.clone(),
            json!({
                "timeline": {
                    "events": timeline_events,
                    "prev_batch": format!("t{}-{}_0_0_0_0_0_0_0_0_0", 400 + room_index, 12_000 + room_index),
                    "limited": true,
                },
                "state": { "events": state_events },
                "account_data": { "events": account_data },
                "ephemeral": { "events": ephemeral },
                "unread_notifications": { "notification_count": room_index % 7, "highlight_count": room_index % 2 },
                "unread_thread_notifications": threads,
                "summary": {
                    "m.heroes": heroes,
                    "m.joined_member_count": room.members.len(),
                    "m.invited_member_count": 0,
                },
            }),
        );
    }

    let mut invite = Map::new();
    for i in 0..3 {
        let inviter = user(&mut rng, 200 + i);
        let room_id = format!("!{}:{}", rng.chars(&BASE64[..52], 18), rng.pick(&SERVERS));
        let name = rng.sentence(1, 3);
        invite.insert(
            room_id,
            json!({ "invite_state": { "events": [
                { "type": "m.room.create", "state_key": "", "sender": inviter.user_id, "content": { "room_version": "11" } },
                { "type": "m.room.name", "state_key": "", "sender": inviter.user_id, "content": { "name": name } },
                { "type": "m.room.join_rules", "state_key": "", "sender": inviter.user_id, "content": { "join_rule": "invite" } },
                { "type": "m.room.member", "state_key": inviter.user_id, "sender": inviter.user_id, "content": { "membership": "join", "displayname": inviter.displayname } },
                { "type": "m.room.member", "state_key": ME, "sender": inviter.user_id, "content": { "membership": "invite", "displayname": "Alice" },
                  "event_id": rng.event_id(), "origin_server_ts": now - 60_000, "unsigned": { "age": 60_000 } },
            ]}}),
        );
        shape.invited_rooms += 1;
    }
    let mut leave = Map::new();
    {
        let room_id = format!("!{}:{}", rng.chars(&BASE64[..52], 18), rng.pick(&SERVERS));
        let ts = now - 3_600_000;
        leave.insert(
            room_id,
            json!({
                "timeline": { "events": [{
                    "type": "m.room.member", "state_key": ME, "sender": ME,
                    "content": { "membership": "leave" }, "origin_server_ts": ts,
                    "unsigned": { "age": now - ts, "membership": "leave",
                                  "prev_content": { "membership": "join", "displayname": "Alice" },
                                  "replaces_state": rng.event_id() },
                    "event_id": rng.event_id(),
                }], "prev_batch": "t1-2_0_0_0_0_0_0_0_0_0", "limited": false },
                "state": { "events": [] },
                "account_data": { "events": [] },
            }),
        );
        shape.left_rooms += 1;
    }

    all_users.sort();
    all_users.dedup();
    let presence: Vec<Value> = all_users
        .iter()
        .take(60)
        .map(|user_id| {
            let online = rng.range(0, 3) == 0;
            let mut content = json!({
                "presence": if online { "online" } else { "unavailable" },
                "last_active_ago": rng.range(1_000, 10_000_000),
            });
            if online {
                content["currently_active"] = json!(true);
            }
            if rng.range(0, 4) == 0 {
                content["status_msg"] = json!(rng.sentence(1, 5));
            }
            json!({ "type": "m.presence", "sender": user_id, "content": content })
        })
        .collect();
    shape.presence_events = presence.len();

    let direct: Map<String, Value> = all_users
        .iter()
        .take(12)
        .map(|u| {
            (
                u.clone(),
                json!([format!("!{}:example.org", rng.chars(&BASE64[..52], 18))]),
            )
        })
        .collect();
    let account_data = vec![
        push_rules(),
        json!({ "type": "m.direct", "content": direct }),
        json!({ "type": "m.ignored_user_list", "content": { "ignored_users": { "@spam:example.net": {} } } }),
        json!({ "type": "m.secret_storage.default_key", "content": { "key": rng.chars(BASE64_URL, 32) } }),
        json!({ "type": "io.element.recent_emoji", "content": { "recent_emoji": [["👍", 12], ["🎉", 4], ["❤️", 3]] } }),
    ];
    shape.account_data_events = account_data.len();

    let to_device: Vec<Value> = (0..8)
        .map(|i| {
            let sender = user(&mut rng, 300 + i);
            let key = rng.curve_key();
            let len = rng.range(400, 1500);
            json!({
                "type": "m.room.encrypted",
                "sender": sender.user_id,
                "content": {
                    "algorithm": "m.olm.v1.curve25519-aes-sha2",
                    "sender_key": rng.curve_key(),
                    "ciphertext": { (key): { "type": i % 2, "body": rng.chars(BASE64, len) } },
                },
            })
        })
        .collect();
    shape.to_device_events = to_device.len();

    let changed: Vec<&String> = all_users.iter().step_by(9).collect();
    let body = json!({
        "account_data": { "events": account_data },
        "to_device": { "events": to_device },
        "device_lists": { "changed": changed, "left": [] },
        "presence": { "events": presence },
        "rooms": { "join": join, "invite": invite, "leave": leave },
        "device_one_time_keys_count": { "signed_curve25519": 50 },
        "org.matrix.msc2732.device_unused_fallback_key_types": ["signed_curve25519"],
        "device_unused_fallback_key_types": ["signed_curve25519"],
        "next_batch": "s123456_789012_3456_78901_2345_678_9012_34567_0_12",
    });
    let text = body.to_string();
    shape.bytes = text.len();
    (text, shape)
}
