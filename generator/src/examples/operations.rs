//! The walk over the documents' operations, their request and response
//! bodies, and the bodies' media types.

use serde_json::Value;

use super::{Collector, ExampleError, ExampleKind, HTTP_METHODS, JSON, JsonBody, NonJson};
use crate::load::Location;

impl Collector<'_> {
    pub(super) fn document(&mut self, file: &str) -> Result<(), ExampleError> {
        let root_at = Location::file(file);
        let spec = self.spec;
        let Some(root) = spec.files().get(file).map(|f| &f.value) else {
            return Err(ExampleError::NotLoaded {
                file: file.to_owned(),
            });
        };
        let Some(paths) = root.get("paths") else {
            return Ok(());
        };
        let paths_at = root_at.join("paths");
        for path in self.object(&paths_at, paths, "`paths`")?.keys() {
            let item = spec.deref(&paths_at.join(path))?;
            let item_node = self.object(&item.location, item.node, "a path item")?;
            for method in HTTP_METHODS {
                if item_node.contains_key(*method) {
                    self.operation(&item.location.join(method))?;
                }
            }
        }
        Ok(())
    }

    fn operation(&mut self, at: &Location) -> Result<(), ExampleError> {
        let spec = self.spec;
        let op = spec.deref(at)?;
        let at = op.location.clone();
        let node = self.object(&at, op.node, "an operation")?;
        let operation_id = node
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| self.invalid(&at, "the operation has no `operationId`"))?;
        self.out.operations += 1;
        if node.contains_key("requestBody") {
            self.body(operation_id, "request", &at.join("requestBody"))?;
        }
        if let Some(responses) = node.get("responses") {
            let responses_at = at.join("responses");
            let responses = self.object(&responses_at, responses, "`responses`")?;
            for status in responses.keys() {
                self.body(operation_id, status, &responses_at.join(status))?;
            }
        }
        Ok(())
    }

    /// A request body or response (or a `$ref` to one).
    fn body(&mut self, operation_id: &str, part: &str, at: &Location) -> Result<(), ExampleError> {
        let spec = self.spec;
        let body = spec.deref(at)?;
        let node = self.object(&body.location, body.node, "a request body or response")?;
        let Some(content) = node.get("content") else {
            return Ok(());
        };
        let content_at = body.location.join("content");
        for (media_type, _) in self.object(&content_at, content, "`content`")? {
            let media_at = content_at.join(media_type);
            if media_type != JSON {
                self.out.non_json.push(NonJson {
                    operation_id: operation_id.to_owned(),
                    part: part.to_owned(),
                    media_type: media_type.clone(),
                    source: self.describe(&media_at),
                });
                continue;
            }
            let before = self.out.examples.len();
            self.media_type(operation_id, part, &media_at)?;
            self.out.json_bodies.push(JsonBody {
                operation_id: operation_id.to_owned(),
                part: part.to_owned(),
                source: self.describe(&media_at),
                examples: self.out.examples.len() - before,
            });
        }
        Ok(())
    }

    fn media_type(
        &mut self,
        operation_id: &str,
        part: &str,
        at: &Location,
    ) -> Result<(), ExampleError> {
        let spec = self.spec;
        let media = spec.deref(at)?;
        let at = media.location.clone();
        let node = self.object(&at, media.node, "a media type object")?;
        if node.contains_key("example") {
            self.push(
                operation_id,
                part,
                ExampleKind::MediaType,
                &at.join("example"),
            )?;
        }
        if let Some(examples) = node.get("examples") {
            let examples_at = at.join("examples");
            for name in self.object(&examples_at, examples, "`examples`")?.keys() {
                let entry = spec.deref(&examples_at.join(name))?;
                let entry_node = self.object(&entry.location, entry.node, "an Example Object")?;
                if entry_node.contains_key("value") {
                    let kind = ExampleKind::MediaTypeEntry { name: name.clone() };
                    self.push(operation_id, part, kind, &entry.location.join("value"))?;
                } else if entry_node.contains_key("externalValue") {
                    return Err(ExampleError::ExternalValue {
                        at: self.describe(&entry.location),
                    });
                } else {
                    return Err(self.invalid(&entry.location, "the Example Object has no `value`"));
                }
            }
        }
        if node.contains_key("schema") {
            self.schema(operation_id, part, &at.join("schema"))?;
        }
        Ok(())
    }
}
