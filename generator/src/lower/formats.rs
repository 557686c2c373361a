//! The spec's string formats (`format: mx-user-id`, and
//! `x-pattern-format` on a map's keys) as the runtime's identifier types,
//! by the config's `string_formats` table; and the MXC URI's path
//! parameters (`mxc_path_parameters`).

use serde_json::{Map, Value};

use crate::load::Location;
use crate::model::{MxcFields, Param, ParamIn, Type};

use super::{LowerError, Lowerer};

/// The spec's own formats: `data/string-formats.yaml` says custom formats
/// "should always use the `mx-` prefix". Every one needs a runtime type.
const SPEC_FORMAT_PREFIX: &str = "mx-";

impl Lowerer<'_> {
    /// The runtime type of a format name found at `at`: `None` for formats
    /// that keep their JSON type (`uri`, `int64`), an error for an `mx-`
    /// format the config does not map.
    fn format_type(&mut self, at: &Location, format: &Value) -> Result<Option<Type>, LowerError> {
        let Some(format) = format.as_str() else {
            return Err(self.invalid(at, "a format must be a string"));
        };
        match self.config.string_formats.get(format) {
            Some(rust) => Ok(Some(Type::Identifier(rust.clone()))),
            None if format.starts_with(SPEC_FORMAT_PREFIX) => Err(LowerError::UnknownFormat {
                at: self.describe(at),
                format: format.to_owned(),
            }),
            None => Ok(None),
        }
    }

    /// The type a schema's `format` gives it, if any. Only strings can
    /// have an identifier format; one on another type fails.
    pub(super) fn string_format(
        &mut self,
        at: &Location,
        map: &Map<String, Value>,
        is_string: bool,
    ) -> Result<Option<Type>, LowerError> {
        let Some(format) = map.get("format") else {
            return Ok(None);
        };
        let ty = self.format_type(&at.join("format"), format)?;
        if ty.is_some() && !is_string {
            return Err(self.unsupported(
                &at.join("format"),
                format!("format `{format}` on a schema that is not a string"),
            ));
        }
        Ok(ty)
    }

    /// The key type of a map from its `patternProperties` (each value
    /// schema's `x-pattern-format`) and `additionalProperties`: an
    /// identifier type when every pattern names the same format and there
    /// are no other keys, else `String`.
    pub(super) fn map_key(
        &mut self,
        at: &Location,
        map: &Map<String, Value>,
    ) -> Result<Type, LowerError> {
        let mut keys = Vec::new();
        if let Some(patterns) = map.get("patternProperties").and_then(Value::as_object) {
            for pattern in patterns.keys() {
                let pattern_at = at.join("patternProperties").join(pattern);
                let key = match self.spec.deref(&pattern_at)?.node.get("x-pattern-format") {
                    Some(format) => self
                        .format_type(&pattern_at.join("x-pattern-format"), format)?
                        .unwrap_or(Type::String),
                    None => Type::String,
                };
                keys.push(key);
            }
        }
        let other_keys = matches!(
            map.get("additionalProperties"),
            Some(Value::Bool(true) | Value::Object(_))
        );
        match keys.first() {
            Some(first) if !other_keys && keys.iter().all(|k| k == first) => Ok(first.clone()),
            _ => Ok(Type::String),
        }
    }

    /// A `oneOf` whose members are all identifier types, as the runtime
    /// type `string_format_unions` names for that set of formats.
    pub(super) fn format_union(
        &mut self,
        at: &Location,
        members: &[Type],
    ) -> Result<Option<Type>, LowerError> {
        let mut rust_names: Vec<&str> = Vec::new();
        for member in members {
            match member {
                Type::Identifier(rust) => rust_names.push(rust),
                _ => return Ok(None),
            }
        }
        rust_names.sort_unstable();
        rust_names.dedup();
        let config = self.config;
        let found = config.string_format_unions.iter().find(|union| {
            let mut names: Vec<&str> = union
                .formats
                .iter()
                .filter_map(|format| config.string_formats.get(format).map(String::as_str))
                .collect();
            names.sort_unstable();
            names.dedup();
            names == rust_names
        });
        match found {
            Some(union) => {
                self.used_format_unions.insert(union.rust.clone());
                Ok(Some(Type::Identifier(union.rust.clone())))
            }
            None => Err(self.unsupported(
                at,
                format!(
                    "a `oneOf` of the identifier types {rust_names:?}: name the type it becomes in `string_format_unions` of spec/generator.toml"
                ),
            )),
        }
    }

    /// The request fields an MXC URI fills, when the operation has both
    /// `mxc_path_parameters`; their types must be what an MXC URI gives.
    pub(super) fn mxc_fields(
        &mut self,
        params: &[Param],
        at: &Location,
    ) -> Result<Option<MxcFields>, LowerError> {
        let Some(names) = &self.config.mxc_path_parameters else {
            return Ok(None);
        };
        let path_param = |wire: &str| {
            params
                .iter()
                .find(|p| p.location == ParamIn::Path && p.wire_name == wire)
        };
        let (Some(server), Some(media)) =
            (path_param(&names.server_name), path_param(&names.media_id))
        else {
            return Ok(None);
        };
        let server_name_is_string = match &server.ty {
            Type::String => true,
            Type::Identifier(rust) if rust == "ServerName" => false,
            other => {
                return Err(self.unsupported(
                    at,
                    format!(
                        "path parameter `{}` (an MXC URI's server name) of type {other:?}: `from_mxc` needs a server name or a string",
                        server.wire_name
                    ),
                ));
            }
        };
        if media.ty != Type::String {
            return Err(self.unsupported(
                at,
                format!(
                    "path parameter `{}` (an MXC URI's media ID) of type {:?}: `from_mxc` needs a string",
                    media.wire_name, media.ty
                ),
            ));
        }
        self.used_mxc_parameters = true;
        Ok(Some(MxcFields {
            server_name: server.rust_name.clone(),
            server_name_is_string,
            media_id: media.rust_name.clone(),
        }))
    }

    /// Config entries about formats that the spec no longer needs.
    pub(super) fn unused_format_entries(&self) -> Vec<LowerError> {
        let unused = |what: String| {
            LowerError::config(format!(
                "{what} is not used by any generated schema; remove it"
            ))
        };
        // `string_formats` is the table of every format the runtime has a
        // type for, used or not (the base64 formats are, in v1.19, only in
        // definitions nothing references); the shapes below are not.
        let mut errors = Vec::new();
        errors.extend(
            self.config
                .string_format_unions
                .iter()
                .filter(|union| !self.used_format_unions.contains(&union.rust))
                .map(|union| {
                    unused(format!(
                        "`string_format_unions` entry `{}` ({:?})",
                        union.rust, union.formats
                    ))
                }),
        );
        if self.config.mxc_path_parameters.is_some() && !self.used_mxc_parameters {
            errors.push(unused(
                "`mxc_path_parameters` (no operation has both parameters)".to_owned(),
            ));
        }
        errors
    }
}
