//! Operation parameters and the path template they fill.

use serde_json::Value;

use crate::config::TimePlace;
use crate::load::Location;
use crate::model::{Param, ParamIn, PathPart, Type, TypeKind};

use super::naming::{field_name, type_name};
use super::{LowerError, Lowerer};

impl Lowerer<'_> {
    pub(super) fn path_parts(
        &self,
        full_path: &str,
        params: &[Param],
        at: &Location,
    ) -> Result<Vec<PathPart>, LowerError> {
        let mut parts = Vec::new();
        let mut rest = full_path;
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .map(|i| open + i)
                .ok_or_else(|| self.invalid(at, format!("unclosed `{{` in path `{full_path}`")))?;
            if open > 0 {
                parts.push(PathPart::Literal(rest[..open].to_owned()));
            }
            let name = &rest[open + 1..close];
            let param = params
                .iter()
                .find(|p| p.location == ParamIn::Path && p.wire_name == name)
                .ok_or_else(|| {
                    self.invalid(
                        at,
                        format!(
                            "path `{full_path}` uses `{{{name}}}` but no path parameter defines it"
                        ),
                    )
                })?;
            parts.push(PathPart::Param(param.rust_name.clone()));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_owned()));
        }
        // Literals are sent verbatim: they may only hold what a URL path
        // allows unencoded (RFC 3986 `pchar` and `/`).
        for part in &parts {
            if let PathPart::Literal(text) = part
                && let Some(bad) = text
                    .chars()
                    .find(|&c| !(c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/".contains(c)))
            {
                return Err(self.invalid(
                    at,
                    format!(
                        "path `{full_path}` has {bad:?} outside a parameter, which a URL path cannot carry unencoded"
                    ),
                ));
            }
        }
        for param in params.iter().filter(|p| p.location == ParamIn::Path) {
            if !parts.contains(&PathPart::Param(param.rust_name.clone())) {
                return Err(self.invalid(
                    at,
                    format!(
                        "path parameter `{}` is not in the path `{full_path}`",
                        param.wire_name
                    ),
                ));
            }
        }
        Ok(parts)
    }

    pub(super) fn parameter(
        &mut self,
        at: &Location,
        module: &str,
        prefix: &str,
    ) -> Result<Param, LowerError> {
        let deref = self.spec.deref(at)?;
        let real_at = deref.location.clone();
        let node = deref.node.clone();
        let name = node
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| self.invalid(&real_at, "a parameter has no `name`"))?
            .to_owned();
        let location = match node.get("in").and_then(Value::as_str) {
            Some("path") => ParamIn::Path,
            Some("query") => ParamIn::Query,
            Some("header") => ParamIn::Header,
            other => {
                return Err(
                    self.unsupported(&real_at.join("in"), format!("parameter location {other:?}"))
                );
            }
        };
        let required = location == ParamIn::Path
            || node
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        let ty = self.schema(
            &real_at.join("schema"),
            &format!("{prefix}{}", type_name(&name)),
            module,
        )?;
        let place = match location {
            ParamIn::Path => TimePlace::Path,
            ParamIn::Query => TimePlace::Query,
            ParamIn::Header => TimePlace::Header,
        };
        let description = node.get("description").and_then(Value::as_str);
        let (ty, rust_name) =
            self.apply_time_rules(&real_at, &name, place, description, ty, field_name(&name))?;
        let scalar = |ty: &Type| match ty {
            Type::String
            | Type::Bool
            | Type::I64
            | Type::U64
            | Type::F64
            | Type::DurationMs
            | Type::DurationSecs
            | Type::Timestamp
            | Type::Identifier(_) => true,
            Type::Named(id) => matches!(self.types[id.0].kind, TypeKind::StringEnum(_)),
            _ => false,
        };
        // Query strings can carry a list (the name repeated) or a map of
        // strings (each key its own name, `style: form, explode: true`).
        let supported = match (&ty, location) {
            (ty, _) if scalar(ty) => true,
            (Type::Array(item), ParamIn::Query) => scalar(item),
            (Type::Map { key, value }, ParamIn::Query) => {
                **key == Type::String && **value == Type::String
            }
            _ => false,
        };
        if !supported {
            return Err(self.unsupported(
                &real_at.join("schema"),
                format!("a {} parameter of type {ty:?}", location.as_str()),
            ));
        }
        let bounds = match node.get("schema") {
            Some(schema) => self.bounds(&real_at.join("schema"), schema, &ty)?,
            None => None,
        };
        Ok(Param {
            bounds,
            secret: self.config.secret_properties.contains(&name) && ty == Type::String,
            rust_name,
            wire_name: name,
            location,
            ty,
            required,
            docs: self.docs(&node),
        })
    }
}
