//! Generates a typed Rust client for the Matrix client-server API.
//!
//! The generator is a pipeline; each stage is one module with a typed
//! hand-off, testable alone:
//!
//! 1. [`load`]: the spec files on disk, each read once (the
//!    [`openapi_overlay`] crate's [`yaml`](openapi_overlay::yaml) turns YAML
//!    into JSON values and finds line numbers for errors).
//! 2. [`apply_overlays`]: OpenAPI Overlay documents applied to the loaded
//!    files, by the [`openapi_overlay`] crate.
//! 3. [`resolve`]: every `$ref` resolved to a location in a loaded file.
//! 4. [`lower`]: the resolved spec lowered to the typed [`model`].
//! 5. [`emit`]: the model emitted as Rust source (quote + prettyplease).
//!
//! Overlays apply before references are resolved, so a `$ref` an overlay
//! adds is checked like any other, and errors point into real files.
//! [`output`] compares generated files with a directory and swaps them in
//! atomically; [`pin`] records which spec release the output is made from.
//! [`examples`] collects the spec's request and response examples (through
//! [`prepare`], the stages before lowering) for round-trip tests.
//! [`changes`] compares the models of two spec releases ([`build_api`]) and
//! reports what changed for the generated crate's users.

pub mod changes;
pub mod config;
pub mod emit;
pub mod examples;
pub mod load;
pub mod lower;
pub mod model;
pub mod output;
pub mod pin;
pub mod resolve;

use std::path::{Path, PathBuf};

/// Where the project keeps its generation inputs.
#[derive(Debug, Clone)]
pub struct Project {
    /// The `spec/` folder: `generator.toml`, `pin.toml`, `overlays/`.
    pub spec_config_dir: PathBuf,
}

impl Project {
    /// The config file.
    pub fn config_path(&self) -> PathBuf {
        self.spec_config_dir.join("generator.toml")
    }

    /// The pin file.
    pub fn pin_path(&self) -> PathBuf {
        self.spec_config_dir.join("pin.toml")
    }
}

/// Anything that stops generation. Each names the file (and JSON pointer
/// or line) at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `spec/generator.toml` is missing or wrong.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// `spec/pin.toml` is missing or wrong.
    #[error(transparent)]
    Pin(#[from] pin::PinError),
    /// A spec file could not be loaded.
    #[error(transparent)]
    Load(#[from] load::LoadError),
    /// An overlay is invalid or does not apply.
    #[error(transparent)]
    Overlay(#[from] openapi_overlay::OverlayError),
    /// An overlay names a file it extends that the spec does not have.
    #[error("overlay {overlay}: `extends: {extends}`: {source}")]
    OverlayTarget {
        /// The overlay file.
        overlay: PathBuf,
        /// What it says it extends.
        extends: String,
        /// Why that file could not be loaded.
        source: Box<load::LoadError>,
    },
    /// An overlay without `extends` (the project needs to know which spec
    /// file it applies to).
    #[error(
        "overlay {overlay}: `extends` is required: name the spec file it applies to, relative to the spec's data/ folder (e.g. `extends: api/client-server/refresh.yaml`)"
    )]
    OverlayWithoutExtends {
        /// The overlay file.
        overlay: PathBuf,
    },
    /// A schema that `known_types` maps to a runtime type is gone: the spec
    /// changed, and the mapping must be revisited.
    #[error(
        "{config}: known type `{schema}` does not exist in the spec any more; update or remove the mapping"
    )]
    KnownTypeMissing {
        /// The schema as written in the config.
        schema: String,
        /// The config file.
        config: PathBuf,
    },
    /// A `$ref` could not be resolved.
    #[error(transparent)]
    Resolve(#[from] resolve::ResolveError),
    /// The spec uses something the generator cannot type.
    #[error(transparent)]
    Lower(#[from] lower::LowerError),
    /// Rust source could not be produced.
    #[error(transparent)]
    Emit(#[from] emit::EmitError),
    /// The spec's examples could not be collected.
    #[error(transparent)]
    Examples(#[from] examples::ExampleError),
}

/// Runs the whole pipeline: reads the spec at `spec_dir` (a folder with
/// `data/`) and the project's config, and returns the generated crate's
/// files. Writes nothing.
pub fn generate(spec_dir: &Path, project: &Project) -> Result<output::GeneratedFiles, Error> {
    let (config, pin, resolved) = prepare(spec_dir, project)?;
    let api = lower::lower(&resolved, &config, &pin.tag)?;
    Ok(emit::emit(&api, &config)?)
}

/// Every request and response example of the configured documents'
/// operations (see [`examples`]), read through the same stages as
/// [`generate`]: overlays applied, references resolved.
pub fn spec_examples(spec_dir: &Path, project: &Project) -> Result<Vec<examples::Example>, Error> {
    let (config, _pin, resolved) = prepare(spec_dir, project)?;
    Ok(examples::collect(&resolved, &config.documents)?.examples)
}

/// The stages before lowering: reads the project's config (with document
/// patterns expanded) and pin, loads the spec at `spec_dir`, applies the
/// overlays, checks the known types and resolves every reference of the
/// configured documents.
pub fn prepare(
    spec_dir: &Path,
    project: &Project,
) -> Result<(config::Config, pin::Pin, resolve::ResolvedSpec), Error> {
    let pin = pin::Pin::read(&project.pin_path())?;
    let (config, resolved, _) = prepare_unpinned(spec_dir, project, OverlayFit::Required)?;
    Ok((config, pin, resolved))
}

/// [`prepare`] without the pin: any spec release, with overlays that do
/// not fit it skipped or not (`fit`).
fn prepare_unpinned(
    spec_dir: &Path,
    project: &Project,
    fit: OverlayFit,
) -> Result<(config::Config, resolve::ResolvedSpec, Vec<SkippedOverlay>), Error> {
    let mut config = config::Config::read(&project.config_path())?;
    let mut files = open_spec(spec_dir, project, &mut config)?;
    let skipped = apply_overlays_fitting(&mut files, &config, project, fit)?;
    check_known_types(&mut files, &config, project)?;
    let resolved = resolve::resolve(files, &config.resolve_roots(false))?;
    Ok((config, resolved, skipped))
}

/// Opens the spec at `spec_dir` for `config` (the project's): expands the
/// config's file patterns ([`config::Config::expand_documents`]) and adds
/// the project's own files ([`config::Config::expand_project_files`]).
pub fn open_spec(
    spec_dir: &Path,
    project: &Project,
    config: &mut config::Config,
) -> Result<load::SpecFiles, Error> {
    let mut files = load::SpecFiles::open(spec_dir)?;
    let config_path = project.config_path();
    config.expand_documents(files.data_dir(), &config_path)?;
    for file in config.expand_project_files(&config_path)? {
        files.add_project_file(file.name, file.source, file.place)?;
    }
    Ok(files)
}

/// Every example event of `[events] examples` in the config, with its
/// `$ref` bases merged (see [`examples::events`]), read through the same
/// stages as [`generate`].
pub fn event_examples(
    spec_dir: &Path,
    project: &Project,
) -> Result<Vec<examples::EventExample>, Error> {
    let _pin = pin::Pin::read(&project.pin_path())?;
    let mut config = config::Config::read(&project.config_path())?;
    let mut files = open_spec(spec_dir, project, &mut config)?;
    apply_overlays_fitting(&mut files, &config, project, OverlayFit::Required)?;
    let resolved = resolve::resolve(files, &config.resolve_roots(true))?;
    let example_files = config.events.as_ref().map_or(&[][..], |e| &e.examples[..]);
    Ok(examples::events::collect(&resolved, example_files)?)
}

/// The model [`generate`] would emit for the spec at `spec_dir` (any
/// release; the pin is not read), with the project's config, and
/// `spec_tag` as the release it names. For comparing releases
/// ([`changes`]).
pub fn build_api(
    spec_dir: &Path,
    project: &Project,
    spec_tag: &str,
    fit: OverlayFit,
) -> Result<BuiltApi, Error> {
    let (mut config, resolved, skipped_overlays) = prepare_unpinned(spec_dir, project, fit)?;
    config.older_release = fit == OverlayFit::SkipUnfitting;
    let api = lower::lower(&resolved, &config, spec_tag)?;
    Ok(BuiltApi {
        api,
        config,
        skipped_overlays,
    })
}

/// What [`build_api`] returns.
#[derive(Debug)]
pub struct BuiltApi {
    /// The model.
    pub api: model::Api,
    /// The project's config it was built with (documents expanded).
    pub config: config::Config,
    /// Overlays left out because they do not fit the spec
    /// ([`OverlayFit::SkipUnfitting`]), in config order.
    pub skipped_overlays: Vec<SkippedOverlay>,
}

/// Whether every overlay must apply to the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayFit {
    /// Every overlay applies, or generation fails (what `gen` does).
    Required,
    /// An overlay that extends a file the spec lacks, or one of whose
    /// actions selects nothing, is left out whole and reported (for an
    /// older release than the overlays were written for). Any other
    /// overlay error still fails.
    SkipUnfitting,
}

/// An overlay left out under [`OverlayFit::SkipUnfitting`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedOverlay {
    /// The overlay, as listed in the config.
    pub overlay: String,
    /// Why it does not fit (the error `gen` would give, without the
    /// overlay's path).
    pub reason: String,
}

/// The overlay stage of [`prepare`]: applies the config's overlays, in
/// order, each to the spec file it `extends` (loading it if needed).
pub fn apply_overlays(
    files: &mut load::SpecFiles,
    config: &config::Config,
    project: &Project,
) -> Result<(), Error> {
    apply_overlays_fitting(files, config, project, OverlayFit::Required).map(|_| ())
}

/// [`apply_overlays`], leaving out the overlays that do not fit the spec
/// when `fit` allows it; returns those left out.
fn apply_overlays_fitting(
    files: &mut load::SpecFiles,
    config: &config::Config,
    project: &Project,
    fit: OverlayFit,
) -> Result<Vec<SkippedOverlay>, Error> {
    let mut skipped = Vec::new();
    // Per spec file: the fields overlays added, so that two overlays adding
    // the same field is an error, as it is within one overlay.
    let mut added: std::collections::BTreeMap<String, openapi_overlay::AddedFields> =
        std::collections::BTreeMap::new();
    for overlay_path in &config.overlays {
        let path = project.spec_config_dir.join(overlay_path);
        let overlay = openapi_overlay::Overlay::load(&path)?;
        let extends = overlay
            .extends()
            .ok_or_else(|| Error::OverlayWithoutExtends {
                overlay: path.clone(),
            })?
            .to_owned();
        let from = load::Location::file(overlay_path.clone());
        let target = load::join_relative("", &extends, &from).and_then(|file| {
            files.load(&file)?;
            Ok(file)
        });
        let target = target.map_err(|source| match source {
            // The file is there but broken: that is the spec file's error,
            // and it names the file and position itself.
            load::LoadError::Yaml(_) | load::LoadError::NotUtf8 { .. } => Error::Load(source),
            source => Error::OverlayTarget {
                overlay: path.clone(),
                extends: extends.clone(),
                source: Box::new(source),
            },
        });
        let applied = target.and_then(|target| {
            let document = &mut files.load(&target)?.value;
            // All or nothing: a failing overlay leaves the document as it was.
            overlay.apply_tracked(
                document,
                openapi_overlay::Strictness::RequireMatch,
                added.entry(target).or_default(),
            )?;
            Ok(())
        });
        match applied {
            Err(error) if fit == OverlayFit::SkipUnfitting => match does_not_fit(&error) {
                Some(reason) => skipped.push(SkippedOverlay {
                    overlay: overlay_path.clone(),
                    reason,
                }),
                None => return Err(error),
            },
            other => other?,
        }
    }
    Ok(skipped)
}

/// When an overlay error says the overlay was written for another release
/// of the spec (its file or a target is not there): why, in words that do
/// not depend on where the project is.
fn does_not_fit(error: &Error) -> Option<String> {
    match error {
        Error::Overlay(openapi_overlay::OverlayError::NoMatch { place }) => {
            let action = place
                .action
                .map_or_else(|| "an action".to_owned(), |i| format!("action {i}"));
            Some(match &place.target {
                Some(target) => format!("{action} (target `{target}`) selects nothing"),
                None => format!("{action} selects nothing"),
            })
        }
        Error::OverlayTarget {
            extends, source, ..
        } => match &**source {
            load::LoadError::Read { source, .. }
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Some(format!(
                    "it extends `{extends}`, which this spec does not have"
                ))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Part of [`prepare`] after the overlays: every schema that `known_types`
/// maps to a runtime type still exists in the spec.
pub fn check_known_types(
    files: &mut load::SpecFiles,
    config: &config::Config,
    project: &Project,
) -> Result<(), Error> {
    for known in &config.known_types {
        let (file, pointer) = known.schema.split_once('#').unwrap_or((&known.schema, ""));
        let exists = files
            .load(file)
            .map(|f| f.value.pointer(pointer).is_some())
            .unwrap_or(false);
        if !exists {
            return Err(Error::KnownTypeMissing {
                schema: known.schema.clone(),
                config: project.config_path(),
            });
        }
    }
    Ok(())
}
