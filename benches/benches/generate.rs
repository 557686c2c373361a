//! Generation speed against a YAML parsing floor (BENCHMARKS.md, section 1).
//!
//! The input is the real spec (`../shared/matrix-spec/v1.19`, or
//! `MATRIX_SPEC_DIR`) and the project's `spec/` config: every document of
//! the client-server API and every file they reference.
//!
//! * `floor/saphyr`: the floor any generator pays, parsing the same YAML
//!   files (already read into memory) into a generic value with an
//!   independent YAML library (saphyr's DOM);
//! * `floor/codegen_yaml`: the same with the generator's YAML loader
//!   (`openapi_overlay::yaml`),
//!   for reference (it builds JSON values and keeps positions for errors);
//! * `stage/*`: each stage of [`matrix_csapi_codegen::generate`] alone, with
//!   its input prepared outside the timed part: `config` (config, pin,
//!   document patterns), `load` (read and parse every file),
//!   `overlays` (apply the overlays, check the known types), `resolve`
//!   (every `$ref`), `lower` (to the model), `emit_tokens` (quote) and
//!   `format` (syn + prettyplease);
//! * `pipeline/generate`: the whole of `generate`, files read from disk.

#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, Criterion, criterion_group};
use matrix_csapi_codegen::config::Config;
use matrix_csapi_codegen::load::SpecFiles;
use matrix_csapi_codegen::pin::Pin;
use matrix_csapi_codegen::{Project, emit, lower, resolve};
use openapi_overlay::yaml;
use saphyr::LoadableYamlNode;
use support::ratios::{self, Ratio};
use support::{project, spec_dir};

mod support;

/// `text` as saphyr accepts it. The spec closes multi-line flow collections
/// with a bracket aligned with the parent key (`example: {` ... `}`), which
/// YAML 1.2 forbids and saphyr rejects; libyaml-based tools accept it. The
/// generator's YAML module indents such a bracket when the scanner rejects
/// it and parses again; here that is done once, untimed, so the floor is a
/// single parse of each file.
fn saphyr_ready(path: &Path, text: &str) -> String {
    let mut text = text.to_owned();
    for _ in 0..10_000 {
        let mut parser = saphyr_parser::Parser::new_from_str(&text);
        let Err(error) = saphyr::Yaml::load_from_parser(&mut parser).map(drop) else {
            return text;
        };
        let marker = error.marker();
        let start = if marker.line() == 1 {
            0
        } else {
            text.match_indices('\n')
                .nth(marker.line() - 2)
                .map_or(text.len(), |(offset, _)| offset + 1)
        };
        let line = &text[start..];
        let indent = line.len() - line.trim_start_matches(' ').len();
        let closer = line[indent..].starts_with(['}', ']']);
        if error.info() != "invalid indentation" || !closer || indent != marker.col() {
            panic!("{}: saphyr: {error}", path.display());
        }
        text.insert(start, ' ');
    }
    panic!("{}: too many flow closers to indent", path.display())
}

/// The config stage: config and pin read, spec opened, document patterns
/// expanded.
fn config_stage(spec: &Path, project: &Project) -> (Config, Pin, SpecFiles) {
    let mut config = Config::read(&project.config_path()).unwrap_or_else(|e| panic!("{e}"));
    let pin = Pin::read(&project.pin_path()).unwrap_or_else(|e| panic!("{e}"));
    let files = SpecFiles::open(spec).unwrap_or_else(|e| panic!("{e}"));
    config
        .expand_documents(files.data_dir(), &project.config_path())
        .unwrap_or_else(|e| panic!("{e}"));
    (config, pin, files)
}

/// The load stage: every file the pipeline reads, read and parsed.
fn load_stage(spec: &Path, paths: &[String]) -> SpecFiles {
    let mut files = SpecFiles::open(spec).unwrap_or_else(|e| panic!("{e}"));
    for path in paths {
        files.load(path).unwrap_or_else(|e| panic!("{e}"));
    }
    files
}

/// The overlay stage (with the known-type check that follows it).
fn overlay_stage(files: &mut SpecFiles, config: &Config, project: &Project) {
    matrix_csapi_codegen::apply_overlays(files, config, project).unwrap_or_else(|e| panic!("{e}"));
    matrix_csapi_codegen::check_known_types(files, config, project)
        .unwrap_or_else(|e| panic!("{e}"));
}

fn generation(c: &mut Criterion) {
    let spec = spec_dir();
    let project = project();

    // What the pipeline reads, and what it makes, once untimed.
    let expected =
        matrix_csapi_codegen::generate(&spec, &project).unwrap_or_else(|e| panic!("{e}"));
    let (config, pin, resolved) =
        matrix_csapi_codegen::prepare(&spec, &project).unwrap_or_else(|e| panic!("{e}"));
    let paths: Vec<String> = resolved.files().iter().map(|f| f.path.clone()).collect();
    let texts: Vec<(PathBuf, String)> = resolved
        .files()
        .iter()
        .map(|f| (PathBuf::from(&f.path), f.text.clone()))
        .collect();
    let api = lower::lower(&resolved, &config, &pin.tag).unwrap_or_else(|e| panic!("{e}"));
    let tokens = emit::emit_tokens(&api, &config);
    assert_eq!(
        emit::format(tokens.clone()).unwrap_or_else(|e| panic!("{e}")),
        expected,
        "the stages one by one make what generate makes"
    );
    let documents = config.documents.len();
    let bytes: usize = texts.iter().map(|(_, text)| text.len()).sum();
    let saphyr_texts: Vec<String> = texts
        .iter()
        .map(|(path, text)| saphyr_ready(path, text))
        .collect();
    assert_eq!(
        documents, 72,
        "the v1.19 client-server API has 72 documents"
    );
    eprintln!(
        "generation input: {documents} documents, {} YAML files read ({bytes} bytes); output: {} files",
        paths.len(),
        expected.len(),
    );

    let mut group = c.benchmark_group("generate");
    // Each iteration takes milliseconds to a second: fewer, longer samples.
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(8));

    group.bench_function("floor/saphyr", |b| {
        b.iter(|| {
            for text in &saphyr_texts {
                let mut parser = saphyr_parser::Parser::new_from_str(text);
                let docs =
                    saphyr::Yaml::load_from_parser(&mut parser).unwrap_or_else(|e| panic!("{e}"));
                std::hint::black_box(docs);
            }
        })
    });
    group.bench_function("floor/codegen_yaml", |b| {
        b.iter(|| {
            for (path, text) in &texts {
                let value = yaml::parse(text, path).unwrap_or_else(|e| panic!("{e}"));
                std::hint::black_box(value);
            }
        })
    });

    group.bench_function("stage/config", |b| b.iter(|| config_stage(&spec, &project)));
    group.bench_function("stage/load", |b| b.iter(|| load_stage(&spec, &paths)));
    group.bench_function("stage/overlays", |b| {
        b.iter_batched(
            || load_stage(&spec, &paths),
            |mut files| {
                overlay_stage(&mut files, &config, &project);
                files
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("stage/resolve", |b| {
        b.iter_batched(
            || {
                let mut files = load_stage(&spec, &paths);
                overlay_stage(&mut files, &config, &project);
                files
            },
            |files| resolve::resolve(files, &config.documents).unwrap_or_else(|e| panic!("{e}")),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("stage/lower", |b| {
        b.iter(|| lower::lower(&resolved, &config, &pin.tag).unwrap_or_else(|e| panic!("{e}")))
    });
    group.bench_function("stage/emit_tokens", |b| {
        b.iter(|| emit::emit_tokens(&api, &config))
    });
    group.bench_function("stage/format", |b| {
        b.iter_batched(
            || tokens.clone(),
            |tokens| emit::format(tokens).unwrap_or_else(|e| panic!("{e}")),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("pipeline/generate", |b| {
        b.iter(|| matrix_csapi_codegen::generate(&spec, &project).unwrap_or_else(|e| panic!("{e}")))
    });
    group.finish();
}

criterion_group!(benches, generation);

fn main() {
    let start = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    let against_floor = |label, measured| Ratio {
        label,
        measured,
        baseline: "generate/floor/saphyr",
    };
    ratios::print(
        "generation against the YAML floor (saphyr)",
        &[
            against_floor(
                "whole pipeline (target: at most 3x)",
                "generate/pipeline/generate",
            ),
            against_floor(
                "floor with the generator's YAML module",
                "generate/floor/codegen_yaml",
            ),
            against_floor("stage: config", "generate/stage/config"),
            against_floor("stage: load (read + parse)", "generate/stage/load"),
            against_floor("stage: overlays", "generate/stage/overlays"),
            against_floor("stage: resolve", "generate/stage/resolve"),
            against_floor("stage: lower", "generate/stage/lower"),
            against_floor("stage: emit tokens", "generate/stage/emit_tokens"),
            against_floor("stage: format", "generate/stage/format"),
        ],
        start,
    );
}
