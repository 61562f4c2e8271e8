//! The deployment examples of `deploy/`: the Kubernetes Jobs, run here the way their pods run
//! them (the manifests' own arguments and environment, on a smaller run), merge into the report
//! of the run without shards; the Slurm scripts parse, and run end to end on a real Slurm when
//! asked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;
use cli_support::{handoff, stderr};

use std::fs;
use std::path::Path;
use std::process::Command;

/// A YAML file as JSON, read by PyYAML (which `.ci/test` installs with `pre-commit`).
fn yaml(path: &str) -> serde_json::Value {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            path,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The manifests' pods, run locally: each shard with its `JOB_COMPLETION_INDEX` and the Job's
/// `HANDOFF_SHARD_COUNT`, then the merge Job's command, give the report of one local run.
#[test]
fn the_kubernetes_jobs_merge_into_the_report_of_one_run() {
    let job = yaml("deploy/kubernetes/shards-job.yaml");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let completions = spec["completions"].as_u64().unwrap();
    assert_eq!(spec["parallelism"].as_u64(), Some(completions));
    let pod = &spec["template"]["spec"]["containers"][0];
    let count = pod["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "HANDOFF_SHARD_COUNT")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(count, completions.to_string());
    let args = strings(&pod["args"]);
    let merge = yaml("deploy/kubernetes/merge-job.yaml");
    let merge_line = strings(&merge["spec"]["template"]["spec"]["containers"][0]["args"]);
    let merge_line = merge_line[0].strip_prefix("exec handoff ").unwrap();
    let parts_dir = args[args.iter().position(|a| a == "--part").unwrap() + 1].clone();
    assert!(merge_line.contains(&format!("{parts_dir}part-*-of-*.json")));

    // The same run, smaller, on this machine: playbook and parts in a temporary directory.
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let playbook = root.join("playbooks/seed-matrix.playbook");
    let local_parts = tmp.path().join("parts");
    fs::create_dir_all(&local_parts).unwrap();
    let local_dir = format!("{}/", local_parts.to_str().unwrap());
    let mut shard_args = args.clone();
    for (flag, small) in [("--days", "5"), ("--replications", "9")] {
        let at = shard_args.iter().position(|a| a == flag).unwrap();
        shard_args[at + 1] = small.to_string();
    }
    shard_args[1] = playbook.to_str().unwrap().to_string();
    let at = shard_args.iter().position(|a| a == "--part").unwrap();
    shard_args[at + 1] = local_dir.clone();
    for index in 0..completions {
        let out = handoff()
            .args(&shard_args)
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("HANDOFF_SHARD_COUNT", &count)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let local = |line: &str| line.replace(&parts_dir, &local_dir);
    let merged = Command::new("sh")
        .arg("-c")
        .arg(format!("exec \"$HANDOFF\" {}", local(merge_line)))
        .env("HANDOFF", env!("CARGO_BIN_EXE_handoff"))
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));

    let whole_out = tmp.path().join("whole");
    let mut whole_args: Vec<String> =
        shard_args[..shard_args.iter().position(|a| a == "--shard").unwrap()].to_vec();
    whole_args.extend(["--format", "json", "--out", whole_out.to_str().unwrap()].map(String::from));
    let whole = handoff().args(&whole_args).output().unwrap();
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    assert!(merged.stdout == whole.stdout);
    let report = local_parts.join("report");
    for entry in fs::read_dir(&whole_out).unwrap() {
        let entry = entry.unwrap();
        let merged = fs::read(report.join(entry.file_name())).unwrap();
        assert!(
            merged == fs::read(entry.path()).unwrap(),
            "{:?}",
            entry.file_name()
        );
    }
}

#[test]
fn the_slurm_scripts_parse_and_ask_for_an_array() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/slurm");
    for script in ["shard.sbatch", "merge.sbatch", "submit.sh", "e2e.sh"] {
        let out = Command::new("bash")
            .arg("-n")
            .arg(dir.join(script))
            .output()
            .unwrap();
        assert!(out.status.success(), "{script}: {}", stderr(&out));
    }
    let shard = fs::read_to_string(dir.join("shard.sbatch")).unwrap();
    assert!(shard.contains("#SBATCH --array=0-") && shard.contains("--shard auto"));
    let submit = fs::read_to_string(dir.join("submit.sh")).unwrap();
    assert!(submit.contains("--dependency=\"afterok:"));
}

/// The Slurm example on a real single-node Slurm, compared byte for byte with a local run.
/// Ignored because it installs Debian packages (`slurm-wlm`, `munge`) as root and starts
/// daemons; about 15 seconds once they are installed. Run it with
/// `cargo test --test cli_shard_deploy -- --ignored`.
#[test]
#[ignore = "installs slurm-wlm and starts munged, slurmctld and slurmd: cargo test --test cli_shard_deploy -- --ignored"]
fn the_slurm_example_merges_into_the_local_report() {
    let out = Command::new("bash")
        .arg("deploy/slurm/e2e.sh")
        .arg(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
}
