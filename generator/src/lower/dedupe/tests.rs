#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::load::Location;
use crate::model::{
    Auth, EnumValue, Field, Module, Operation, ResponseArm, Struct, SuccessResponse, UnionVariant,
};

fn def(module: &str, name: &str, origin: NameOrigin, kind: TypeKind) -> TypeDef {
    TypeDef {
        name: name.to_owned(),
        module: module.to_owned(),
        docs: Docs::default(),
        source: Location::file(format!("{module}.yaml#{name}")),
        name_origin: origin,
        title: None,
        kind,
        features: Vec::new(),
    }
}

fn string_enum(module: &str, name: &str, values: &[&str]) -> TypeDef {
    let values = values
        .iter()
        .map(|wire| EnumValue {
            wire: (*wire).to_owned(),
            variant: type_name(wire),
            feature: None,
        })
        .collect();
    def(
        module,
        name,
        NameOrigin::Operation,
        TypeKind::StringEnum(values),
    )
}

fn field(json_name: &str, ty: Type, description: Option<&str>) -> Field {
    Field {
        json_name: json_name.to_owned(),
        rust_name: json_name.to_owned(),
        ty,
        required: true,
        docs: Docs {
            description: description.map(str::to_owned),
            ..Docs::default()
        },
        secret: false,
        bounds: None,
        feature: None,
    }
}

fn object(module: &str, name: &str, fields: Vec<Field>) -> TypeDef {
    let kind = TypeKind::Struct(Struct {
        fields,
        ..Struct::default()
    });
    def(module, name, NameOrigin::Operation, kind)
}

/// An operation whose request type is `request` (and which returns
/// `response` when given).
fn operation(request: usize, response: Option<usize>) -> Operation {
    Operation {
        operation_id: format!("op{request}"),
        fn_name: format!("op{request}"),
        request: TypeId(request),
        method: "GET".to_owned(),
        path_template: "/".to_owned(),
        path: Vec::new(),
        docs: Docs::default(),
        auth: Auth::None,
        body: None,
        response: SuccessResponse {
            enum_name: None,
            arms: response
                .map(|id| ResponseArm {
                    status: 200,
                    variant: "Ok".to_owned(),
                    kind: ResponseKind::Json(Type::Named(TypeId(id))),
                    doc: None,
                })
                .into_iter()
                .collect(),
        },
        endpoint_errors: Vec::new(),
        runtime_error_statuses: Vec::new(),
        error_type: None,
        rate_limited: false,
        source: Location::file("op.yaml"),
        feature: None,
        mxc_fields: None,
        send_content: None,
    }
}

fn api(types: Vec<TypeDef>, operations: Vec<Operation>) -> Api {
    Api {
        spec_tag: "v1.0".to_owned(),
        modules: vec![Module {
            name: "ops".to_owned(),
            source: "ops.yaml".to_owned(),
            title: None,
            operations,
        }],
        types,
        features: Vec::new(),
        events: Vec::new(),
        event_enums: Vec::new(),
    }
}

fn names(api: &Api) -> Vec<String> {
    api.types
        .iter()
        .map(|t| format!("{}::{}", t.module, t.name))
        .collect()
}

fn field_type(api: &Api, type_name: &str, field: &str) -> Type {
    let def = api.types.iter().find(|t| t.name == type_name).unwrap();
    let TypeKind::Struct(s) = &def.kind else {
        panic!("{type_name} is not a struct")
    };
    s.fields
        .iter()
        .find(|f| f.json_name == field)
        .unwrap()
        .ty
        .clone()
}

fn named(api: &Api, name: &str) -> Type {
    let index = api.types.iter().position(|t| t.name == name).unwrap();
    Type::Named(TypeId(index))
}

#[test]
fn identical_enums_of_several_modules_become_one_shared_type() {
    let types = vec![
        string_enum("rooms", "GetRoomEventsDir", &["b", "f"]),
        string_enum("relations", "GetEventByTimestampDir", &["b", "f"]),
        object(
            "rooms",
            "Page",
            vec![field("dir", Type::Named(TypeId(0)), None)],
        ),
        object(
            "relations",
            "Thread",
            vec![field(
                "dir",
                Type::Array(Box::new(Type::Named(TypeId(1)))),
                None,
            )],
        ),
    ];
    let api = dedupe(api(types, Vec::new()), &[]).unwrap();
    assert_eq!(
        names(&api),
        ["types::Dir", "rooms::Page", "relations::Thread"]
    );
    let dir = named(&api, "Dir");
    assert_eq!(field_type(&api, "Page", "dir"), dir);
    assert_eq!(
        field_type(&api, "Thread", "dir"),
        Type::Array(Box::new(dir))
    );
}

#[test]
fn enums_with_the_same_values_in_another_order_are_the_same() {
    let types = vec![
        string_enum("a", "FirstVisibility", &["public", "private"]),
        string_enum("a", "SecondVisibility", &["private", "public"]),
    ];
    let api = dedupe(api(types, Vec::new()), &[]).unwrap();
    assert_eq!(names(&api), ["a::Visibility"]);
    // The first member's order is kept.
    let TypeKind::StringEnum(values) = &api.types[0].kind else {
        panic!()
    };
    assert_eq!(values[0].wire, "public");
}

#[test]
fn types_that_differ_on_the_wire_or_by_title_stay_apart() {
    let mut titled = object(
        "a",
        "HomeserverInformation",
        vec![field("base_url", Type::String, None)],
    );
    titled.title = Some("Homeserver Information".to_owned());
    let mut other_title = object(
        "a",
        "IdentityServerInformation",
        vec![field("base_url", Type::String, None)],
    );
    other_title.title = Some("Identity Server Information".to_owned());
    let mut optional = field("base_url", Type::String, None);
    optional.required = false;
    let mut gated = string_enum("a", "GatedMembership", &["join", "leave"]);
    gated.features = vec!["unstable-x".to_owned()];
    let mut gated_value = string_enum("a", "GatedValueMembership", &["join", "leave"]);
    if let TypeKind::StringEnum(values) = &mut gated_value.kind {
        values[1].feature = Some("unstable-x".to_owned());
    }
    let types = vec![
        string_enum("a", "Membership", &["join", "leave"]),
        string_enum("a", "FullMembership", &["join", "leave", "knock"]),
        gated,
        gated_value,
        titled,
        other_title,
        object("a", "Optional", vec![optional]),
        object("a", "Renamed", vec![field("url", Type::String, None)]),
    ];
    let before = names(&api(types.clone(), Vec::new()));
    let api = dedupe(api(types, Vec::new()), &[]).unwrap();
    assert_eq!(names(&api), before);
}

#[test]
fn objects_whose_inner_types_merge_are_merged_too() {
    let types = vec![
        object(
            "a",
            "FirstOuter",
            vec![field("inner", Type::Named(TypeId(1)), None)],
        ),
        object(
            "a",
            "FirstInner",
            vec![field("kind", Type::Named(TypeId(2)), None)],
        ),
        string_enum("a", "FirstKind", &["x", "y"]),
        object(
            "b",
            "SecondOuter",
            vec![field("inner", Type::Named(TypeId(4)), None)],
        ),
        object(
            "b",
            "SecondInner",
            vec![field("kind", Type::Named(TypeId(5)), None)],
        ),
        string_enum("b", "SecondKind", &["x", "y"]),
        // Differs only in the innermost enum: stays apart, as do its
        // parents.
        object(
            "b",
            "ThirdOuter",
            vec![field("inner", Type::Named(TypeId(7)), None)],
        ),
        object(
            "b",
            "ThirdInner",
            vec![field("kind", Type::Named(TypeId(8)), None)],
        ),
        string_enum("b", "ThirdKind", &["x", "z"]),
    ];
    let api = dedupe(api(types, Vec::new()), &[]).unwrap();
    assert_eq!(
        names(&api),
        [
            "types::Outer",
            "types::Inner",
            "types::Kind",
            "b::ThirdOuter",
            "b::ThirdInner",
            "b::ThirdKind"
        ]
    );
    assert_eq!(field_type(&api, "Outer", "inner"), named(&api, "Inner"));
    assert_eq!(field_type(&api, "Inner", "kind"), named(&api, "Kind"));
}

#[test]
fn the_shared_type_keeps_the_first_docs_that_say_something_for_it_and_each_field() {
    let mut first = object(
        "a",
        "FirstInfo",
        vec![
            field("x", Type::String, None),
            field("y", Type::String, Some("first y")),
        ],
    );
    first.docs.description = None;
    let mut second = object(
        "a",
        "SecondInfo",
        vec![
            field("x", Type::String, Some("second x")),
            field("y", Type::String, Some("second y")),
        ],
    );
    second.docs.description = Some("second type".to_owned());
    let mut third = object(
        "a",
        "ThirdInfo",
        vec![
            field("x", Type::String, Some("third x")),
            field("y", Type::String, None),
        ],
    );
    third.docs.description = Some("third type".to_owned());
    let api = dedupe(api(vec![first, second, third], Vec::new()), &[]).unwrap();
    assert_eq!(names(&api), ["a::Info"]);
    let def = &api.types[0];
    assert_eq!(def.docs.description.as_deref(), Some("second type"));
    let TypeKind::Struct(s) = &def.kind else {
        panic!()
    };
    let docs: Vec<Option<&str>> = s
        .fields
        .iter()
        .map(|f| f.docs.description.as_deref())
        .collect();
    assert_eq!(docs, [Some("second x"), Some("first y")]);
    // The first member's location stays the shared type's.
    assert_eq!(def.source, Location::file("a.yaml#FirstInfo"));
}

#[test]
fn types_an_operation_names_itself_are_not_merged_but_their_contents_are() {
    let types = vec![
        object("ops", "GetThingRequest", vec![]),
        object(
            "ops",
            "GetThingResponse",
            vec![field("kind", Type::Named(TypeId(2)), None)],
        ),
        string_enum("ops", "GetThingResponseKind", &["a"]),
        object("ops", "GetOtherRequest", vec![]),
        object(
            "ops",
            "GetOtherResponse",
            vec![field("kind", Type::Named(TypeId(5)), None)],
        ),
        string_enum("ops", "GetOtherResponseKind", &["a"]),
    ];
    let operations = vec![operation(0, Some(1)), operation(3, Some(4))];
    let api = dedupe(api(types, operations), &[]).unwrap();
    assert_eq!(
        names(&api),
        [
            "ops::GetThingRequest",
            "ops::GetThingResponse",
            "ops::Kind",
            "ops::GetOtherRequest",
            "ops::GetOtherResponse"
        ]
    );
    let ops = &api.modules[0].operations;
    assert_eq!(
        (ops[1].request, &ops[1].response.arms[0].kind),
        (TypeId(3), &ResponseKind::Json(Type::Named(TypeId(4))))
    );
    assert_eq!(
        field_type(&api, "GetOtherResponse", "kind"),
        named(&api, "Kind")
    );
}

#[test]
fn a_shared_name_comes_from_a_title_then_a_named_schema_then_common_words() {
    let mut from_schema = string_enum("a", "PushRuleAction", &["notify"]);
    from_schema.name_origin = NameOrigin::Schema;
    let mut from_title = string_enum("a", "Tweak", &["notify"]);
    from_title.name_origin = NameOrigin::Title;
    let types = vec![
        string_enum("a", "SetRuleRequestBodyAction", &["notify"]),
        from_schema,
        from_title,
        string_enum("b", "GetRoomSummaryResponseEncryption", &["m.megolm"]),
        string_enum("b", "GetHierarchyResponseRoomEncryption", &["m.megolm"]),
        string_enum("b", "GetThingResponseIdServerUnbindResult", &["success"]),
        string_enum("b", "UnbindResponseIdServerUnbindResult", &["success"]),
        // Only structural words in common: the first member's name.
        string_enum("b", "FirstResponseItem", &["z"]),
        string_enum("b", "SecondResponseItem", &["z"]),
        string_enum("c", "OtherAction", &["notify2"]),
    ];
    let api = dedupe(api(types, Vec::new()), &[]).unwrap();
    assert_eq!(
        names(&api),
        [
            "a::Tweak",
            "b::Encryption",
            "b::IdServerUnbindResult",
            "b::FirstResponseItem",
            "c::OtherAction"
        ]
    );
}

#[test]
fn a_shared_name_taken_in_its_module_falls_back_to_the_next_candidate() {
    let types = vec![
        string_enum("a", "Kind", &["other"]),
        string_enum("a", "GetKind", &["x"]),
        string_enum("a", "SetKind", &["x"]),
    ];
    let api = dedupe(api(types, Vec::new()), &[]).unwrap();
    assert_eq!(names(&api), ["a::Kind", "a::GetKind"]);
}

#[test]
fn configured_names_name_shared_and_single_types_and_must_apply() {
    let types = vec![
        string_enum("a", "GetRuleKind", &["x"]),
        string_enum("a", "SetRuleKind", &["x"]),
        string_enum("a", "Lonely", &["y"]),
    ];
    let entry = |schema: &str, name: &str| TypeName {
        schema: schema.to_owned(),
        name: name.to_owned(),
        reason: "test".to_owned(),
    };
    let configured = [
        entry("a.yaml#SetRuleKind#", "PushRuleKind"),
        entry("a.yaml#Lonely#", "Single"),
    ];
    let renamed = dedupe(api(types.clone(), Vec::new()), &configured).unwrap();
    assert_eq!(names(&renamed), ["a::PushRuleKind", "a::Single"]);

    let stale = [entry("a.yaml#Gone#", "Gone")];
    let err = dedupe(api(types.clone(), Vec::new()), &stale).unwrap_err();
    assert!(
        err.to_string()
            .contains("`a.yaml#Gone#` names no generated type"),
        "{err}"
    );

    // `Lonely` keeps its name: another type cannot take it.
    let taken = [entry("a.yaml#SetRuleKind#", "Lonely")];
    let err = dedupe(api(types.clone(), Vec::new()), &taken).unwrap_err();
    assert!(
        err.to_string().contains("which module `a` has already"),
        "{err}"
    );

    let conflicting = [
        entry("a.yaml#GetRuleKind#", "One"),
        entry("a.yaml#SetRuleKind#", "Two"),
    ];
    let err = dedupe(api(types, Vec::new()), &conflicting).unwrap_err();
    assert!(err.to_string().contains("name one shared type"), "{err}");
}

#[test]
fn union_variants_named_after_a_merged_type_follow_its_new_name() {
    let union = |module: &str, name: &str, inner: usize| {
        let variants = vec![
            UnionVariant {
                variant: "String".to_owned(),
                ty: Type::String,
            },
            UnionVariant {
                variant: format!("{name}Object"),
                ty: Type::Named(TypeId(inner)),
            },
        ];
        def(
            module,
            name,
            NameOrigin::Operation,
            TypeKind::Union(variants),
        )
    };
    let types = vec![
        union("a", "FirstTweak", 1),
        object(
            "a",
            "FirstTweakObject",
            vec![field("set_tweak", Type::String, None)],
        ),
        union("a", "SecondTweak", 3),
        object(
            "a",
            "SecondTweakObject",
            vec![field("set_tweak", Type::String, None)],
        ),
    ];
    let api = dedupe(api(types, Vec::new()), &[]).unwrap();
    assert_eq!(names(&api), ["a::Tweak", "a::TweakObject"]);
    let TypeKind::Union(variants) = &api.types[0].kind else {
        panic!()
    };
    assert_eq!(variants[1].variant, "TweakObject");
    assert_eq!(variants[1].ty, Type::Named(TypeId(1)));
}

#[test]
fn camel_words_keep_digits_with_the_word_before() {
    assert_eq!(
        camel_words("GetRoomEventsDir"),
        ["Get", "Room", "Events", "Dir"]
    );
    assert_eq!(camel_words("Response200Body"), ["Response200", "Body"]);
    assert_eq!(common_suffix(&["AKind", "BKind"]).as_deref(), Some("Kind"));
    assert_eq!(common_suffix(&["AItem", "BItem"]), None);
    assert_eq!(common_suffix(&["Kind", "Kind"]).as_deref(), Some("Kind"));
}
