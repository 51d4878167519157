//! The same count by controller on a Ballista cluster (a scheduler and two
//! executors in this process) as in one process.

use std::fs::File;
use std::sync::Arc;

use frontline::Atlas;
use frontline_datafusion::{ballista, sample, sql};

#[test]
fn ballista_counts_equal_the_single_process_answer() {
    let dir = std::env::temp_dir().join(format!("frontline-ballista-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("points.parquet");
    sample::write_parquet(300_000, 3, File::create(&path).unwrap()).unwrap();
    let path = path.to_str().unwrap().to_owned();
    let atlas = Arc::new(Atlas::embedded().unwrap());

    let single = sql::Sql::new(Arc::clone(&atlas)).unwrap();
    let expected = single
        .collect(&format!(
            "SELECT fl_controller(lon, lat, date) AS c, count(*) FROM '{path}' GROUP BY c"
        ))
        .unwrap();
    let expected = sql::count_pairs(&expected).unwrap();
    assert!(expected.len() >= 4, "{expected:?}");
    assert_eq!(expected.iter().map(|(_, n)| n).sum::<i64>(), 300_000);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .unwrap();
    let got = runtime.block_on(async {
        let context = ballista::standalone(Arc::clone(&atlas), 2, 1).await?;
        ballista::count_by_controller(&context, &path).await
    });
    assert_eq!(got.unwrap(), expected);
    // Kept when the test fails, for a look.
    std::fs::remove_dir_all(&dir).unwrap();
}
