//! Documentation carried from the spec onto types, fields and operations.

use serde_json::Value;

use crate::load::Location;
use crate::model::{Docs, Type};

use super::Lowerer;

impl Lowerer<'_> {
    pub(super) fn docs(&self, node: &Value) -> Docs {
        let text = |key: &str| node.get(key).and_then(Value::as_str).map(str::to_owned);
        let changed_in = node
            .get("x-changedInMatrixVersion")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .map(|(version, note)| {
                        (
                            version.clone(),
                            note.as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Docs {
            summary: text("summary"),
            description: text("description"),
            added_in: text("x-addedInMatrixVersion"),
            changed_in,
            deprecated: node
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }

    /// Gives an inline type without a description of its own the
    /// description of where it is used (a response, a body).
    pub(super) fn describe_inline(
        &mut self,
        at: &Location,
        ty: &Type,
        description: Option<&Value>,
    ) {
        if let (Type::Named(id), None, Some(text)) = (
            ty,
            self.spec.target(at),
            description.and_then(Value::as_str),
        ) {
            let docs = &mut self.types[id.0].docs;
            if docs.description.is_none() && docs.summary.is_none() {
                docs.description = Some(text.to_owned());
            }
        }
    }

    /// The documentation of a property (the keys beside a `$ref` win).
    pub(super) fn field_docs(&self, at: &Location) -> Docs {
        match self.spec.deref(at) {
            Ok(deref) => self.docs(&merged_doc_node(&deref)),
            Err(_) => Docs::default(),
        }
    }
}

/// A schema node with the keys written beside the `$ref`s that led to it
/// laid over it (they describe this use of the target).
pub(super) fn merged_doc_node(deref: &crate::resolve::Deref<'_>) -> Value {
    let mut node = deref.node.clone();
    if let Some(target) = node.as_object_mut() {
        for (_, via) in deref.via.iter().rev() {
            if let Some(via) = via.as_object() {
                for (key, value) in via {
                    if key != "$ref" {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
    }
    node
}
