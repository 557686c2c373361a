//! Stage 1: the spec files on disk, each read and parsed once.
//!
//! Files are addressed by their path relative to the spec's `data/` folder,
//! always with `/` separators (`api/client-server/refresh.yaml`), so that
//! locations in errors and in generated docs are the same on every machine.
//!
//! A project may add files of its own (an MSC's event schema the spec does
//! not have yet, [`SpecFiles::add_project_file`]): such a file is named
//! [`PROJECT_PREFIX`] and its path relative to the project's config folder
//! (`project:events/org.example.msc9999.widget_board.yaml`), so errors and
//! docs say it is the project's, and it *stands* at a place in the spec's
//! tree (`event-schemas/schema/org.example.msc9999.widget_board.yaml`): its
//! relative `$ref`s resolve from there, and a `$ref` to that place finds
//! it. So it is written exactly like a spec file in that folder, and can
//! move into the spec unchanged once its MSC lands.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use openapi_overlay::yaml::{self, utf8_text};

/// How the names of the project's own files begin (module docs).
pub const PROJECT_PREFIX: &str = "project:";

/// A place in the spec: a file (relative to `data/`) and an RFC 6901 JSON
/// pointer inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file, relative to the spec's `data/` folder, `/`-separated; for a
    /// file of the project's own, [`PROJECT_PREFIX`] and its path relative
    /// to the config's folder.
    pub file: String,
    /// JSON pointer inside the file; empty for the whole file.
    pub pointer: String,
}

impl Location {
    /// The whole of `file`.
    pub fn file(file: impl Into<String>) -> Location {
        Location {
            file: file.into(),
            pointer: String::new(),
        }
    }

    /// This location extended by one object key or array index.
    pub fn join(&self, token: impl fmt::Display) -> Location {
        let token = token.to_string().replace('~', "~0").replace('/', "~1");
        Location {
            file: self.file.clone(),
            pointer: format!("{}/{token}", self.pointer),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file, self.pointer)
    }
}

/// Why a spec file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory given as the spec is not a Matrix spec checkout.
    #[error(
        "{dir} is not a Matrix spec: expected a folder containing `data/api/client-server` \
         (point --spec or MATRIX_SPEC_DIR at e.g. ../shared/matrix-spec/v1.19)"
    )]
    NotASpec {
        /// The directory that was given.
        dir: PathBuf,
    },
    /// A file could not be read.
    #[error("cannot read spec file {file}: {source}")]
    Read {
        /// The file, relative to `data/`.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not valid YAML.
    #[error(transparent)]
    Yaml(#[from] yaml::YamlError),
    /// A relative path climbs out of the spec's `data/` folder.
    #[error("{from}: the path `{path}` escapes the spec's data/ folder")]
    EscapesRoot {
        /// Where the path was written.
        from: Location,
        /// The offending path.
        path: String,
    },
    /// A file of the project's own could not be read.
    #[error("cannot read project file {file} ({path}): {source}")]
    ReadProjectFile {
        /// The file's name (`project:...`).
        file: String,
        /// Where it was read from.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file of the project's own stands where the spec has a file.
    #[error(
        "project file {file} would stand at {place}, where the spec has a file of its own: \
         remove the project's file if the spec now has it (its MSC landed), or rename it; \
         a spec file is changed with an overlay"
    )]
    ProjectFileShadows {
        /// The project file's name.
        file: String,
        /// The spec's file at its place.
        place: String,
    },
    /// Two files of the project's own would stand at one place.
    #[error("project files {first} and {second} would both stand at {place}")]
    ProjectFilesCollide {
        /// The file given first.
        first: String,
        /// The other one.
        second: String,
        /// The place.
        place: String,
    },
    /// A file is not UTF-8 text.
    #[error("{file}:{line}:{column}: not valid UTF-8 (spec files must be UTF-8 text)")]
    NotUtf8 {
        /// The file, relative to `data/`.
        file: String,
        /// 1-based line of the first byte that is not UTF-8.
        line: usize,
        /// 1-based column (in characters) of that byte.
        column: usize,
    },
}

/// One parsed spec file.
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// Path relative to `data/`.
    pub path: String,
    /// The original text, kept to find line numbers for errors.
    pub text: String,
    /// The parsed document.
    pub value: Value,
}

impl SpecFile {
    /// 1-based line and column of the node at `pointer`, if it exists in the
    /// original text (nodes added by overlays have none).
    pub fn position_of(&self, pointer: &str) -> Option<(usize, usize)> {
        yaml::position_of(&self.text, pointer)
    }
}

/// A file of the project's own (module docs).
#[derive(Debug, Clone)]
struct ProjectFile {
    /// Where it is read from.
    source: PathBuf,
    /// Its place in the spec's tree, relative to `data/`.
    place: String,
}

/// The spec files read so far, keyed by path relative to `data/`.
#[derive(Debug)]
pub struct SpecFiles {
    data_dir: PathBuf,
    /// For a set made by [`SpecFiles::in_memory`]: the texts to read instead
    /// of the disk.
    texts: Option<BTreeMap<String, String>>,
    files: BTreeMap<String, SpecFile>,
    /// The project's own files by name (`project:...`).
    project: BTreeMap<String, ProjectFile>,
    /// The project's own files by their place in the spec's tree.
    project_by_place: BTreeMap<String, String>,
}

impl SpecFiles {
    /// Opens a spec checkout: `spec_dir` must contain `data/api/client-server`.
    pub fn open(spec_dir: &Path) -> Result<SpecFiles, LoadError> {
        let data_dir = spec_dir.join("data");
        if !data_dir.join("api/client-server").is_dir() {
            return Err(LoadError::NotASpec {
                dir: spec_dir.to_path_buf(),
            });
        }
        Ok(SpecFiles {
            data_dir,
            texts: None,
            files: BTreeMap::new(),
            project: BTreeMap::new(),
            project_by_place: BTreeMap::new(),
        })
    }

    /// A spec held in memory: `texts` maps paths relative to `data/` to
    /// their YAML text. Files are parsed when first loaded, exactly as from
    /// disk; loading a path not in `texts` is a [`LoadError::Read`] with
    /// [`std::io::ErrorKind::NotFound`]. For tests and fuzzing, which should
    /// not need a directory per input. Files of the project's own are in
    /// `texts` too, by name (`project:...`).
    pub fn in_memory(texts: impl IntoIterator<Item = (String, String)>) -> SpecFiles {
        SpecFiles {
            data_dir: PathBuf::new(),
            texts: Some(texts.into_iter().collect()),
            files: BTreeMap::new(),
            project: BTreeMap::new(),
            project_by_place: BTreeMap::new(),
        }
    }

    /// Adds a file of the project's own (module docs): `name` is
    /// [`PROJECT_PREFIX`] and its path relative to the config's folder,
    /// `source` where it is read from (unused for a set made by
    /// [`SpecFiles::in_memory`], which has its text by `name`), `place`
    /// where it stands in the spec's tree (relative to `data/`). Fails when
    /// the spec has a file there, or another project file stands there.
    pub fn add_project_file(
        &mut self,
        name: String,
        source: PathBuf,
        place: String,
    ) -> Result<(), LoadError> {
        let spec_has_it = match &self.texts {
            Some(texts) => texts.contains_key(&place),
            None => self.data_dir.join(&place).exists(),
        };
        if spec_has_it {
            return Err(LoadError::ProjectFileShadows { file: name, place });
        }
        if let Some(first) = self.project_by_place.get(&place) {
            return Err(LoadError::ProjectFilesCollide {
                first: first.clone(),
                second: name,
                place,
            });
        }
        self.project_by_place.insert(place.clone(), name.clone());
        self.project.insert(name, ProjectFile { source, place });
        Ok(())
    }

    /// The file a relative path written in the file `base` names: resolved
    /// from `base`'s place (its own path, or a project file's place in the
    /// spec's tree), then the project's file standing there if there is
    /// one. `from` is only used for the error.
    pub fn join_relative(
        &self,
        base: &str,
        relative: &str,
        from: &Location,
    ) -> Result<String, LoadError> {
        let base = self.project.get(base).map_or(base, |file| &file.place);
        let joined = join_relative(base, relative, from)?;
        Ok(self
            .project_by_place
            .get(&joined)
            .cloned()
            .unwrap_or(joined))
    }

    /// The spec's `data/` folder; empty for a set made by
    /// [`SpecFiles::in_memory`].
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Reads and parses `path` (relative to `data/`) unless already loaded.
    pub fn load(&mut self, path: &str) -> Result<&mut SpecFile, LoadError> {
        if !self.files.contains_key(path) {
            let read_error = |source| LoadError::Read {
                file: path.to_owned(),
                source,
            };
            let text = match &self.texts {
                Some(texts) => texts.get(path).cloned().ok_or_else(|| {
                    read_error(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "not in the in-memory spec",
                    ))
                })?,
                None => {
                    let bytes = match self.project.get(path) {
                        Some(file) => std::fs::read(&file.source).map_err(|source| {
                            LoadError::ReadProjectFile {
                                file: path.to_owned(),
                                path: file.source.clone(),
                                source,
                            }
                        })?,
                        None => std::fs::read(self.data_dir.join(path)).map_err(read_error)?,
                    };
                    utf8_text(bytes).map_err(|(line, column)| LoadError::NotUtf8 {
                        file: path.to_owned(),
                        line,
                        column,
                    })?
                }
            };
            let value = yaml::parse(&text, Path::new(path))?;
            self.files.insert(
                path.to_owned(),
                SpecFile {
                    path: path.to_owned(),
                    text,
                    value,
                },
            );
        }
        self.files.get_mut(path).ok_or_else(|| LoadError::Read {
            file: path.to_owned(),
            source: std::io::Error::other("file vanished from the cache"),
        })
    }

    /// A file loaded earlier.
    pub fn get(&self, path: &str) -> Option<&SpecFile> {
        self.files.get(path)
    }

    /// The node at `location`, if its file is loaded and the pointer exists.
    pub fn node(&self, location: &Location) -> Option<&Value> {
        self.files
            .get(&location.file)?
            .value
            .pointer(&location.pointer)
    }

    /// All loaded files, in path order.
    pub fn iter(&self) -> impl Iterator<Item = &SpecFile> {
        self.files.values()
    }

    /// `location` with its line and column appended when known, for errors.
    pub fn describe(&self, location: &Location) -> String {
        match self
            .files
            .get(&location.file)
            .and_then(|f| f.position_of(&location.pointer))
        {
            Some((line, column)) => format!("{location} (line {line}, column {column})"),
            None => location.to_string(),
        }
    }
}

/// Resolves `relative` (a path written in the file `base`) to a path relative
/// to `data/`. `from` is only used for the error.
pub fn join_relative(base: &str, relative: &str, from: &Location) -> Result<String, LoadError> {
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop(); // the file name of `base`
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(LoadError::EscapesRoot {
                        from: from.clone(),
                        path: relative.to_owned(),
                    });
                }
            }
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Location {
        Location::file("api/client-server/refresh.yaml")
    }

    #[test]
    fn joins_same_folder_and_climbing_paths() {
        let base = "api/client-server/refresh.yaml";
        assert_eq!(
            join_relative(base, "definitions/errors/error.yaml", &at()).ok(),
            Some("api/client-server/definitions/errors/error.yaml".to_owned())
        );
        assert_eq!(
            join_relative(base, "../../event-schemas/schema/core.yaml", &at()).ok(),
            Some("event-schemas/schema/core.yaml".to_owned())
        );
        assert_eq!(
            join_relative(base, "./a/../b.yaml", &at()).ok(),
            Some("api/client-server/b.yaml".to_owned())
        );
    }

    #[test]
    fn refuses_paths_escaping_the_root() {
        let err = join_relative("api/x.yaml", "../../../etc/passwd", &at());
        assert!(
            matches!(err, Err(LoadError::EscapesRoot { ref path, .. }) if path == "../../../etc/passwd")
        );
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn in_memory_files_parse_on_load_and_missing_ones_are_not_found() {
        let mut files = SpecFiles::in_memory([
            ("a.yaml".to_owned(), "x: 1\n".to_owned()),
            ("bad.yaml".to_owned(), "x: [\n".to_owned()),
        ]);
        assert_eq!(files.load("a.yaml").unwrap().value["x"], 1);
        assert!(matches!(files.load("bad.yaml"), Err(LoadError::Yaml(_))));
        assert!(matches!(
            files.load("b.yaml"),
            Err(LoadError::Read { ref file, ref source })
                if file == "b.yaml" && source.kind() == std::io::ErrorKind::NotFound
        ));
        assert_eq!(files.data_dir(), Path::new(""));
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn project_files_resolve_from_their_place_and_are_found_there() {
        let mut files = SpecFiles::in_memory([
            (
                "event-schemas/schema/core/state.yaml".to_owned(),
                "type: object\n".to_owned(),
            ),
            (
                "project:events/x.board.yaml".to_owned(),
                "a: 1\n".to_owned(),
            ),
            ("project:more/x.part.yaml".to_owned(), "b: 2\n".to_owned()),
        ]);
        for (name, place) in [
            (
                "project:events/x.board.yaml",
                "event-schemas/schema/x.board.yaml",
            ),
            (
                "project:more/x.part.yaml",
                "event-schemas/schema/x.part.yaml",
            ),
        ] {
            files
                .add_project_file(name.to_owned(), PathBuf::new(), place.to_owned())
                .unwrap();
        }
        let board = "project:events/x.board.yaml";
        let from = Location::file(board);
        // Into the spec, from the folder the file stands in.
        assert_eq!(
            files
                .join_relative(board, "core/state.yaml", &from)
                .unwrap(),
            "event-schemas/schema/core/state.yaml"
        );
        // To another project file (in another project folder), by its place.
        assert_eq!(
            files.join_relative(board, "x.part.yaml", &from).unwrap(),
            "project:more/x.part.yaml"
        );
        // A spec file finds a project file at its place too.
        assert_eq!(
            files
                .join_relative(
                    "event-schemas/schema/core/state.yaml",
                    "../x.board.yaml",
                    &from
                )
                .unwrap(),
            board
        );
        // Climbing out of data/ from the place is refused as from a spec file.
        assert!(matches!(
            files.join_relative(board, "../../../x.yaml", &from),
            Err(LoadError::EscapesRoot { .. })
        ));
        assert_eq!(files.load(board).unwrap().value["a"], 1);
    }

    #[test]
    fn a_project_file_may_not_stand_where_the_spec_or_another_one_is() {
        let mut files = SpecFiles::in_memory([(
            "event-schemas/schema/m.tag.yaml".to_owned(),
            "type: object\n".to_owned(),
        )]);
        let shadows = files.add_project_file(
            "project:events/m.tag.yaml".to_owned(),
            PathBuf::new(),
            "event-schemas/schema/m.tag.yaml".to_owned(),
        );
        assert!(
            matches!(shadows, Err(LoadError::ProjectFileShadows { ref file, ref place })
                if file == "project:events/m.tag.yaml" && place == "event-schemas/schema/m.tag.yaml")
        );
        let place = "event-schemas/schema/x.yaml".to_owned();
        assert!(
            files
                .add_project_file("project:a/x.yaml".to_owned(), PathBuf::new(), place.clone())
                .is_ok()
        );
        let collides =
            files.add_project_file("project:b/x.yaml".to_owned(), PathBuf::new(), place.clone());
        assert_eq!(
            collides.map_err(|e| e.to_string()).err().as_deref(),
            Some(
                "project files project:a/x.yaml and project:b/x.yaml would both stand at event-schemas/schema/x.yaml"
            )
        );
    }

    #[test]
    fn location_join_escapes_pointer_tokens() {
        let loc = Location::file("f.yaml")
            .join("paths")
            .join("/rooms/{roomId}");
        assert_eq!(loc.pointer, "/paths/~1rooms~1{roomId}");
        assert_eq!(loc.to_string(), "f.yaml#/paths/~1rooms~1{roomId}");
    }
}
