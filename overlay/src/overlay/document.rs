//! Validating an overlay document's structure: the root, `overlay` (the
//! version) and `info`; [`super::actions`] validates each action.

use std::path::Path;

use serde_json::Value;

use super::error::{OverlayError, Place, Problem};
use super::{Info, Overlay, Version, escape, is_extension, kind};
use crate::yaml;

/// Checks overlay documents, building errors that carry the file and position.
pub(super) struct Checker<'a> {
    pub(super) file: &'a Path,
    pub(super) source: Option<&'a str>,
}

impl Checker<'_> {
    fn position(&self, pointer: &str) -> Option<(usize, usize)> {
        self.source
            .and_then(|text| yaml::position_of(text, pointer))
    }

    pub(super) fn place(
        &self,
        action: Option<usize>,
        target: Option<&str>,
        pointer: &str,
    ) -> Box<Place> {
        Box::new(Place {
            file: self.file.to_path_buf(),
            action,
            target: target.map(str::to_owned),
            pointer: pointer.to_owned(),
            position: self.position(pointer),
        })
    }

    pub(super) fn invalid(&self, pointer: &str, problem: Problem) -> OverlayError {
        OverlayError::Invalid {
            place: self.place(None, None, pointer),
            problem,
        }
    }

    pub(super) fn invalid_action(
        &self,
        index: usize,
        target: Option<&str>,
        pointer: &str,
        problem: Problem,
    ) -> OverlayError {
        OverlayError::Invalid {
            place: self.place(Some(index), target, pointer),
            problem,
        }
    }

    pub(super) fn overlay(&self, document: &Value) -> Result<Overlay, OverlayError> {
        let Some(root) = document.as_object() else {
            return Err(self.invalid(
                "",
                Problem::DocumentNotObject {
                    found: kind(document),
                },
            ));
        };
        // The version decides what else is allowed, so it comes first.
        let (version, version_text) = self.version(root.get("overlay"))?;
        for key in root.keys() {
            if !matches!(key.as_str(), "overlay" | "info" | "extends" | "actions")
                && !is_extension(key)
            {
                return Err(self.invalid(
                    &format!("/{}", escape(key)),
                    Problem::UnknownField {
                        key: key.clone(),
                        allowed: "`overlay`, `info`, `extends`, `actions`",
                    },
                ));
            }
        }
        let info = self.info(root.get("info"), version)?;
        let extends = match root.get("extends") {
            None => None,
            Some(Value::String(extends)) => Some(extends.clone()),
            Some(other) => {
                return Err(self.invalid(
                    "/extends",
                    Problem::WrongType {
                        field: "extends",
                        expected: "a string",
                        found: kind(other),
                    },
                ));
            }
        };
        let actions = self.actions(root.get("actions"), version)?;
        Ok(Overlay {
            file: self.file.to_path_buf(),
            source: self.source.map(str::to_owned),
            version,
            version_text,
            info,
            extends,
            actions,
        })
    }

    fn version(&self, value: Option<&Value>) -> Result<(Version, String), OverlayError> {
        let text = match value {
            None => return Err(self.invalid("", Problem::Missing { field: "overlay" })),
            Some(Value::String(text)) => text,
            Some(other) => {
                return Err(self.invalid(
                    "/overlay",
                    Problem::WrongType {
                        field: "overlay",
                        expected: "a string",
                        found: kind(other),
                    },
                ));
            }
        };
        // The schemas' pattern: `^1\.[01]\.\d+(-.+)?$`.
        let parsed = text
            .strip_prefix("1.0.")
            .map(|rest| (Version::V1_0, rest))
            .or_else(|| text.strip_prefix("1.1.").map(|rest| (Version::V1_1, rest)))
            .filter(|(_, rest)| {
                let (patch, pre) = rest.split_once('-').unwrap_or((rest, "x"));
                !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()) && !pre.is_empty()
            });
        match parsed {
            Some((version, _)) => Ok((version, text.clone())),
            None => Err(self.invalid(
                "/overlay",
                Problem::UnsupportedVersion {
                    found: text.clone(),
                },
            )),
        }
    }

    fn info(&self, value: Option<&Value>, version: Version) -> Result<Info, OverlayError> {
        let info = match value {
            None => return Err(self.invalid("", Problem::Missing { field: "info" })),
            Some(Value::Object(info)) => info,
            Some(other) => {
                return Err(self.invalid(
                    "/info",
                    Problem::WrongType {
                        field: "info",
                        expected: "an object",
                        found: kind(other),
                    },
                ));
            }
        };
        for key in info.keys() {
            let pointer = format!("/info/{}", escape(key));
            match key.as_str() {
                "title" | "version" => {}
                "description" if version < Version::V1_1 => {
                    return Err(self.invalid(
                        &pointer,
                        Problem::NotInVersion {
                            field: "info.description",
                            version,
                        },
                    ));
                }
                "description" => {}
                _ if is_extension(key) => {}
                _ => {
                    return Err(self.invalid(
                        &pointer,
                        Problem::UnknownField {
                            key: key.clone(),
                            allowed: if version < Version::V1_1 {
                                "`title`, `version`"
                            } else {
                                "`title`, `version`, `description`"
                            },
                        },
                    ));
                }
            }
        }
        let string = |field: &'static str, name: &str| -> Result<Option<String>, OverlayError> {
            match info.get(name) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(other) => Err(self.invalid(
                    &format!("/info/{name}"),
                    Problem::WrongType {
                        field,
                        expected: "a string",
                        found: kind(other),
                    },
                )),
            }
        };
        let title = string("info.title", "title")?.ok_or_else(|| {
            self.invalid(
                "/info",
                Problem::Missing {
                    field: "info.title",
                },
            )
        })?;
        let info_version = string("info.version", "version")?.ok_or_else(|| {
            self.invalid(
                "/info",
                Problem::Missing {
                    field: "info.version",
                },
            )
        })?;
        let description = string("info.description", "description")?;
        Ok(Info {
            title,
            version: info_version,
            description,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::overlay::test_support::*;
    use crate::*;
    use serde_json::json;
    use std::path::Path;

    #[test]
    fn errors_from_a_loaded_file_carry_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("o.yaml");
        std::fs::write(
            &file,
            format!("{HEAD_1_1}actions:\n  - target: $.a\n    remove: true\n  - target: $.b\n    remove: true\n"),
        )
        .unwrap();
        let o = Overlay::load(&file).unwrap();
        let err = o
            .apply(&mut json!({"a": 1}), Strictness::RequireMatch)
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("overlay {}:6:5: action 1", file.display())),
            "{text}"
        );

        std::fs::write(
            &file,
            format!("{HEAD_1_1}actions:\n  - target: $.a\n    remove: 1\n"),
        )
        .unwrap();
        let text = Overlay::load(&file).unwrap_err().to_string();
        assert!(
            text.starts_with(&format!(
                "overlay {}:5:5: action 0 (target `$.a`): `remove` must be a boolean",
                file.display()
            )),
            "{text}"
        );
    }

    #[test]
    fn errors_from_parsed_text_carry_line_and_column() {
        let text = format!("{HEAD_1_1}actions:\n  - target: $.a\n    remove: 1\n");
        let err = Overlay::parse(&text, Path::new("o.yaml")).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "overlay o.yaml:5:5: action 0 (target `$.a`): `remove` must be a boolean"
            ),
            "{err}"
        );
    }

    #[test]
    fn structure_is_validated() {
        let err = overlay_err(
            "overlay: 1.0.0\ninfo: {title: t, version: v, description: d}\nactions: [{target: $}]\n",
        );
        assert!(
            matches!(&err, OverlayError::Invalid { place, problem: Problem::NotInVersion { .. } } if place.pointer == "/info/description"),
            "{err:?}"
        );
        let o = overlay(
            "overlay: 1.1.3-rc\ninfo: {title: t, version: v, description: d, x-a: 1}\nextends: ./api.yaml\nactions: [{target: $, x-b: 2}]\nx-c: 3\n",
        );
        assert_eq!((o.version(), o.version_text()), (Version::V1_1, "1.1.3-rc"));
        assert_eq!(o.info().description(), Some("d"));
        assert_eq!(o.extends(), Some("./api.yaml"));
        let err = overlay_err(&format!(
            "{HEAD_1_1}actions:\n  - target: $.a\n  - target: $.b\n    bogus: 1\n"
        ));
        assert!(
            matches!(&err, OverlayError::Invalid { place, problem: Problem::UnknownField { .. } }
                if place.pointer == "/actions/1/bogus" && place.action == Some(1)),
            "{err:?}"
        );
        let err = overlay_err(&format!(
            "{HEAD_1_1}actions:\n  - {{target: $.a, update: 1}}\n  - {{update: 1, target: $.a}}\n"
        ));
        assert!(
            matches!(
                &err,
                OverlayError::Invalid {
                    place,
                    problem: Problem::DuplicateAction { first: 0 },
                } if place.action == Some(1)
            ),
            "{err:?}"
        );
        for bad in ["1.2.0", "1.0", "1.0.x", "v1.0.0", "1.0.0-"] {
            let err = overlay_err(&format!(
                "overlay: '{bad}'\ninfo: {{title: t, version: v}}\nactions: [{{target: $}}]\n"
            ));
            assert!(
                matches!(
                    &err,
                    OverlayError::Invalid {
                        problem: Problem::UnsupportedVersion { .. },
                        ..
                    }
                ),
                "{bad}: {err:?}"
            );
        }
    }
}
