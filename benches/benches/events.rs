//! Events against ruma (BENCHMARKS.md, section 2, "A large `/sync`"): a
//! 1.4 MB `/sync` response shaped like Synapse's (support/sync_response.rs,
//! made from a fixed seed), parsed by matrix-csapi's `SyncRequest` and by
//! ruma-client-api's `sync_events::v3::Response`.
//!
//! * `sync/typed`: the response, then every timeline event and every
//!   `state` event of the joined rooms deserialized from its `Raw`: on
//!   ruma's side into `AnySyncTimelineEvent` and `AnySyncStateEvent` (the
//!   `/sync` forms, which have no `room_id`; `AnyTimelineEvent` would
//!   reject these events), on ours with `Raw::deserialize` into the
//!   envelopes' default content enums, `AnyTimelineEventContent` and
//!   `AnyStateEventContent` (a variant per event type, content typed).
//! * `sync/raw`: the response alone, events left as `Raw` on both sides.
//!
//! Both sides are checked once, before timing, to see the same rooms and,
//! per room, the same timeline and state events (ids, types, senders, in
//! order), and the same numbers of invited and left rooms, presence,
//! account data and to-device events. Building the `http::Response` each
//! side consumes is untimed setup.

#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use criterion::{BatchSize, Criterion, criterion_group};
use matrix_csapi::events::{AnyStateEventContent, AnyTimelineEventContent};
use matrix_csapi::sync::{SyncRequest, SyncResponse};
use matrix_csapi::types::ClientEventWithoutRoomId;
use matrix_csapi_runtime::{Endpoint, EventContentFromType};
use ratios::Ratio;
use ruma_client_api::sync::sync_events::v3 as ruma_sync;
use ruma_common::api::IncomingResponseExt;
use ruma_events::{AnySyncStateEvent, AnySyncTimelineEvent};

#[path = "support/http_responses.rs"]
mod http_responses;
/// Only the ratio table of the shared support (this bench reads no spec).
#[path = "support/ratios.rs"]
mod ratios;
#[path = "support/sync_response.rs"]
mod sync_response;

use http_responses::{response, ruma_response};

/// Any fixed value; changing it changes the response (and the numbers).
const SEED: u64 = 14;

/// One event as both sides must see it: (event id, type, sender).
type Fact = (String, String, String);

/// Per joined room (by ID): its timeline and its state events.
type RoomFacts = BTreeMap<String, (Vec<Fact>, Vec<Fact>)>;

/// Counts outside the joined rooms: invited, left, presence, global
/// account data, to-device.
type OtherCounts = [usize; 5];

fn ours_fact<C: EventContentFromType>(event: &ClientEventWithoutRoomId<C>) -> Fact {
    (
        event.event_id.to_string(),
        event.content.event_type().to_owned(),
        event.sender.to_string(),
    )
}

/// The timed work of `sync/raw/matrix-csapi`. Not inlined (nor the other
/// three), so that callgrind can count its instructions by name
/// (BENCHMARKS.md).
#[inline(never)]
fn ours_raw(response: http::Response<Bytes>) -> SyncResponse {
    SyncRequest::try_from_http_response(response).unwrap_or_else(|e| panic!("ours: {e}"))
}

/// The timed work of `sync/raw/ruma`.
#[inline(never)]
fn ruma_raw(response: http::Response<&[u8]>) -> ruma_sync::Response {
    ruma_sync::Response::try_from_http_response(response).unwrap_or_else(|e| panic!("ruma: {e}"))
}

/// Parses the response and deserializes every timeline and state event
/// of the joined rooms: the timed work of `sync/typed/matrix-csapi`.
#[inline(never)]
fn ours_typed(
    response: http::Response<Bytes>,
) -> (
    SyncResponse,
    Vec<ClientEventWithoutRoomId>,
    Vec<ClientEventWithoutRoomId<AnyStateEventContent>>,
) {
    let sync = ours_raw(response);
    let mut timeline = Vec::new();
    let mut state = Vec::new();
    for room in sync
        .rooms
        .iter()
        .flat_map(|rooms| rooms.join.iter().flatten())
        .map(|(_, room)| room)
    {
        for event in room.timeline.iter().flat_map(|batch| &batch.events) {
            timeline.push(
                event
                    .deserialize()
                    .unwrap_or_else(|e| panic!("ours: timeline event: {e}")),
            );
        }
        for event in room
            .state
            .iter()
            .flat_map(|batch| batch.events.iter().flatten())
        {
            state.push(
                event
                    .deserialize()
                    .unwrap_or_else(|e| panic!("ours: state event: {e}")),
            );
        }
    }
    (sync, timeline, state)
}

/// The same for ruma: the timed work of `sync/typed/ruma`.
#[inline(never)]
fn ruma_typed(
    response: http::Response<&[u8]>,
) -> (
    ruma_sync::Response,
    Vec<AnySyncTimelineEvent>,
    Vec<AnySyncStateEvent>,
) {
    let sync = ruma_raw(response);
    let mut timeline = Vec::new();
    let mut state = Vec::new();
    for room in sync.rooms.join.values() {
        for event in &room.timeline.events {
            timeline.push(
                event
                    .deserialize()
                    .unwrap_or_else(|e| panic!("ruma: timeline event: {e}")),
            );
        }
        if let ruma_sync::State::Before(before) = &room.state {
            for event in &before.events {
                state.push(
                    event
                        .deserialize()
                        .unwrap_or_else(|e| panic!("ruma: state event: {e}")),
                );
            }
        }
    }
    (sync, timeline, state)
}

fn ours_facts(response: &http::Response<Bytes>) -> (RoomFacts, OtherCounts) {
    let sync = SyncRequest::try_from_http_response(response.clone())
        .unwrap_or_else(|e| panic!("ours: {e}"));
    let mut rooms = RoomFacts::new();
    let mut unknown_types = 0;
    let joined = sync.rooms.as_ref().and_then(|rooms| rooms.join.as_ref());
    for (room_id, room) in joined.into_iter().flatten() {
        let mut timeline = Vec::new();
        for event in room.timeline.iter().flat_map(|batch| &batch.events) {
            let event = event
                .deserialize()
                .unwrap_or_else(|e| panic!("ours: event: {e}"));
            // Typed all through: only types no spec defines are `Other`,
            // and redacted events (their content emptied by the server).
            if let AnyTimelineEventContent::Other {
                event_type,
                content,
            } = &event.content
            {
                let redacted = event
                    .unsigned
                    .as_ref()
                    .is_some_and(|unsigned| unsigned.redacted_because.is_some());
                if redacted {
                    assert!(content.is_empty(), "{event_type}: redacted but not empty");
                } else {
                    assert!(!event_type.starts_with("m."), "{event_type} is Other");
                    unknown_types += 1;
                }
            }
            timeline.push(ours_fact(&event));
        }
        let mut state = Vec::new();
        for event in room
            .state
            .iter()
            .flat_map(|batch| batch.events.iter().flatten())
        {
            let event = event
                .deserialize()
                .unwrap_or_else(|e| panic!("ours: event: {e}"));
            if let AnyStateEventContent::Other { event_type, .. } = &event.content {
                panic!("{event_type} is Other");
            }
            state.push(ours_fact(&event));
        }
        rooms.insert(room_id.to_string(), (timeline, state));
    }
    let unknown_in_facts = rooms
        .values()
        .flat_map(|(timeline, _)| timeline)
        .filter(|(_, event_type, _)| !event_type.starts_with("m."))
        .count();
    assert_eq!(unknown_types, unknown_in_facts);
    let rooms_of = |f: fn(&matrix_csapi::sync::Rooms) -> usize| sync.rooms.as_ref().map_or(0, f);
    let to_device = sync
        .to_device
        .as_ref()
        .and_then(|to_device| to_device.events.as_ref())
        .map_or(0, Vec::len);
    let others = [
        rooms_of(|rooms| rooms.invite.as_ref().map_or(0, BTreeMap::len)),
        rooms_of(|rooms| rooms.leave.as_ref().map_or(0, BTreeMap::len)),
        sync.presence
            .as_ref()
            .and_then(|batch| batch.events.as_ref())
            .map_or(0, Vec::len),
        sync.account_data
            .as_ref()
            .and_then(|batch| batch.events.as_ref())
            .map_or(0, Vec::len),
        to_device,
    ];
    (rooms, others)
}

fn ruma_facts(response: &http::Response<Bytes>) -> (RoomFacts, OtherCounts) {
    let sync = ruma_sync::Response::try_from_http_response(ruma_response(response))
        .unwrap_or_else(|e| panic!("ruma: {e}"));
    let mut rooms = RoomFacts::new();
    for (room_id, room) in &sync.rooms.join {
        let timeline = room
            .timeline
            .events
            .iter()
            .map(|event| {
                let event = event
                    .deserialize()
                    .unwrap_or_else(|e| panic!("ruma: event: {e}"));
                (
                    event.event_id().to_string(),
                    event.event_type().to_string(),
                    event.sender().to_string(),
                )
            })
            .collect();
        let ruma_sync::State::Before(before) = &room.state else {
            panic!("ruma: `state` is not the state before the timeline");
        };
        let state = before
            .events
            .iter()
            .map(|event| {
                let event = event
                    .deserialize()
                    .unwrap_or_else(|e| panic!("ruma: event: {e}"));
                (
                    event.event_id().to_string(),
                    event.event_type().to_string(),
                    event.sender().to_string(),
                )
            })
            .collect();
        rooms.insert(room_id.to_string(), (timeline, state));
    }
    let others = [
        sync.rooms.invite.len(),
        sync.rooms.leave.len(),
        sync.presence.events.len(),
        sync.account_data.events.len(),
        sync.to_device.events.len(),
    ];
    (rooms, others)
}

/// The response, checked once: both sides see the same facts, and they
/// are the facts the generator put in.
fn sync_response() -> http::Response<Bytes> {
    let (body, shape) = sync_response::generate(SEED);
    eprintln!("sync response (seed {SEED}): {shape:?}");
    // To look at the bytes: SYNC_RESPONSE_OUT=sync.json.
    if let Some(path) = std::env::var_os("SYNC_RESPONSE_OUT") {
        std::fs::write(&path, &body).unwrap_or_else(|e| panic!("writing {path:?}: {e}"));
    }
    let ok = response(200, &body);
    let (ours_rooms, ours_others) = ours_facts(&ok);
    let (ruma_rooms, ruma_others) = ruma_facts(&ok);
    assert_eq!(ours_others, ruma_others);
    assert_eq!(ours_rooms.len(), ruma_rooms.len());
    for ((ours_id, ours), (ruma_id, ruma)) in ours_rooms.iter().zip(&ruma_rooms) {
        assert_eq!(ours_id, ruma_id);
        assert_eq!(ours.0, ruma.0, "timeline of {ours_id}");
        assert_eq!(ours.1, ruma.1, "state of {ours_id}");
    }
    assert_eq!(
        ours_others,
        [
            shape.invited_rooms,
            shape.left_rooms,
            shape.presence_events,
            shape.account_data_events,
            shape.to_device_events,
        ]
    );
    assert_eq!(ours_rooms.len(), shape.joined_rooms);
    assert_eq!(
        ours_rooms.values().map(|room| room.0.len()).sum::<usize>(),
        shape.timeline_events
    );
    assert_eq!(
        ours_rooms.values().map(|room| room.1.len()).sum::<usize>(),
        shape.state_events
    );
    ok
}

fn sync(c: &mut Criterion) {
    let ok = sync_response();
    let mut group = c.benchmark_group("sync");
    // Milliseconds per iteration: fewer, longer samples than criterion's
    // default 100, on a machine shared with other work.
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("typed/matrix-csapi", |b| {
        b.iter_batched(|| ok.clone(), ours_typed, BatchSize::LargeInput)
    });
    group.bench_function("typed/ruma", |b| {
        b.iter_batched(|| ruma_response(&ok), ruma_typed, BatchSize::LargeInput)
    });
    group.bench_function("raw/matrix-csapi", |b| {
        b.iter_batched(|| ok.clone(), ours_raw, BatchSize::LargeInput)
    });
    group.bench_function("raw/ruma", |b| {
        b.iter_batched(|| ruma_response(&ok), ruma_raw, BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group!(benches, sync);

fn main() {
    let start = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratios::print(
        "matrix-csapi against ruma-client-api",
        &[
            Ratio {
                label: "sync 1.4 MB: parse, every timeline and state event deserialized on both sides",
                measured: "sync/typed/matrix-csapi",
                baseline: "sync/typed/ruma",
            },
            Ratio {
                label: "sync 1.4 MB: parse, events left raw on both sides",
                measured: "sync/raw/matrix-csapi",
                baseline: "sync/raw/ruma",
            },
        ],
        start,
    );
}
