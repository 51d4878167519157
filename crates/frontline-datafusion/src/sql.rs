//! SQL over files and the atlas, answered in one process: a DataFusion
//! session with the functions of this crate registered and files named by
//! path in `FROM` (`SELECT … FROM 'points.parquet'`: CSV, Parquet or
//! GeoParquet, newline-delimited JSON, by extension), results written as a
//! table, CSV, JSON lines or Parquet, batch by batch.

use std::io::Write;
use std::sync::Arc;

use arrow::array::RecordBatch;
use datafusion::catalog::{DynamicFileCatalog, TableProvider, UrlTableFactory};
use datafusion::config::ConfigOptions;
use datafusion::datasource::dynamic_file::DynamicListTableFactory;
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::{SessionConfig, SessionContext};
use frontline::Atlas;
use futures::StreamExt;

pub use datafusion::error::DataFusionError as Error;

/// How query results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// An aligned text table (all rows are gathered first).
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Json,
    /// Parquet (Zstandard-compressed); geometry columns (GeoArrow WKB, as
    /// `fl_zones` and `fl_diff` give them) make it GeoParquet.
    Parquet,
}

impl OutputFormat {
    /// From a file name's extension: `.csv`, `.json`/`.jsonl`/`.ndjson`,
    /// `.parquet`/`.geoparquet`; anything else is `None`.
    ///
    /// ```
    /// use frontline_datafusion::sql::OutputFormat;
    /// assert_eq!(OutputFormat::from_path("out.parquet".as_ref()), Some(OutputFormat::Parquet));
    /// assert_eq!(OutputFormat::from_path("out.txt".as_ref()), None);
    /// ```
    pub fn from_path(path: &std::path::Path) -> Option<OutputFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(OutputFormat::Csv),
            "json" | "jsonl" | "ndjson" => Some(OutputFormat::Json),
            "parquet" | "geoparquet" => Some(OutputFormat::Parquet),
            _ => None,
        }
    }
}

/// A DataFusion session for `atlas`: every `fl_*` function registered
/// ([`crate::register`]) and files readable by path in `FROM`.
///
/// ```
/// use std::sync::Arc;
/// use frontline_datafusion::sql::{Sql, OutputFormat};
/// let sql = Sql::new(Arc::new(frontline::Atlas::embedded()?))?;
/// let mut out = Vec::new();
/// sql.write("SELECT fl_controller(46.7528, 39.8177, '2021-06-01') AS c", OutputFormat::Csv, &mut out)?;
/// assert_eq!(String::from_utf8(out)?, "c\nnkr\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Sql {
    runtime: tokio::runtime::Runtime,
    context: SessionContext,
}

impl Sql {
    /// A session over `atlas`, with a Tokio runtime of its own.
    ///
    /// # Errors
    ///
    /// When the runtime cannot start.
    pub fn new(atlas: Arc<Atlas>) -> Result<Sql> {
        Sql::with_config(atlas, SessionConfig::new())
    }

    /// A session over `atlas` with DataFusion settings of the caller's
    /// (batch size, target partitions, memory limits…).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use frontline_datafusion::datafusion::prelude::SessionConfig;
    /// use frontline_datafusion::sql::{Sql, OutputFormat};
    /// let config = SessionConfig::new().with_batch_size(1024);
    /// let sql = Sql::with_config(Arc::new(frontline::Atlas::embedded()?), config)?;
    /// let mut out = Vec::new();
    /// let query = "SELECT value FROM information_schema.df_settings \
    ///              WHERE name = 'datafusion.execution.batch_size'";
    /// sql.write(query, OutputFormat::Csv, &mut out)?;
    /// assert_eq!(String::from_utf8(out)?, "value\n1024\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the runtime cannot start.
    pub fn with_config(atlas: Arc<Atlas>, config: SessionConfig) -> Result<Sql> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(DataFusionError::IoError)?;
        let context = session_with_config(atlas, config);
        Ok(Sql { runtime, context })
    }

    /// A session over `atlas` whose DataFusion settings come from
    /// `DATAFUSION_*` environment variables, as DataFusion's own command line
    /// reads them: the setting's name in capitals with `_` for `.`
    /// (`DATAFUSION_EXECUTION_BATCH_SIZE=32768` sets
    /// `datafusion.execution.batch_size`). Unset variables leave the defaults.
    ///
    /// # Errors
    ///
    /// A variable whose value the setting does not take, named with its value
    /// (`DATAFUSION_EXECUTION_BATCH_SIZE=many: …`); or the runtime's.
    pub fn from_env(atlas: Arc<Atlas>) -> Result<Sql> {
        Sql::with_config(atlas, config_from_env()?)
    }

    /// The DataFusion session, to register more tables or functions.
    pub fn context(&self) -> &SessionContext {
        &self.context
    }

    /// Runs `query` and gathers its result.
    ///
    /// # Errors
    ///
    /// DataFusion's: the query does not parse or plan (a file that cannot be
    /// read, an unknown column), or fails while running.
    pub fn collect(&self, query: &str) -> Result<Vec<RecordBatch>> {
        self.runtime.block_on(async {
            let frame = self.context.sql(query).await?;
            frame.collect().await
        })
    }

    /// Runs `query` and writes its result to `out` as `format` says, batch
    /// by batch (the table format gathers the rows first). Returns the
    /// number of rows written.
    ///
    /// # Errors
    ///
    /// As [`Sql::collect`], and the writer's.
    pub fn write(&self, query: &str, format: OutputFormat, out: impl Write + Send) -> Result<u64> {
        self.runtime.block_on(async {
            let frame = self.context.sql(query).await?;
            let schema = Arc::new(frame.schema().as_arrow().clone());
            let mut stream = frame.execute_stream().await?;
            let mut writer = Writer::new(format, schema, out)?;
            let mut rows = 0u64;
            while let Some(batch) = stream.next().await {
                let batch = batch?;
                rows += batch.num_rows() as u64;
                writer.write(&batch)?;
            }
            writer.finish()?;
            Ok(rows)
        })
    }
}

/// A session with url tables and the crate's functions.
pub fn session(atlas: Arc<Atlas>) -> SessionContext {
    session_with_config(atlas, SessionConfig::new())
}

/// [`session`] with the caller's DataFusion settings (the information schema
/// is turned on in any case: `SHOW ALL`, `information_schema.df_settings`).
pub fn session_with_config(atlas: Arc<Atlas>, config: SessionConfig) -> SessionContext {
    let config = config.with_information_schema(true);
    let context = with_file_tables(SessionContext::new_with_config(config));
    crate::register(&context, atlas);
    context
}

/// `context` with tables named by path in `FROM`, as DataFusion's
/// `enable_url_table` gives them, but a name that is a path and no table
/// says why ([`FileTables`]).
fn with_file_tables(context: SessionContext) -> SessionContext {
    let factory = Arc::new(DynamicListTableFactory::default());
    let catalogs = Arc::new(DynamicFileCatalog::new(
        Arc::clone(context.state().catalog_list()),
        Arc::new(FileTables(Arc::clone(&factory))),
    ));
    let context: SessionContext = context
        .into_state_builder()
        .with_catalog_list(catalogs)
        .build()
        .into();
    factory.session_store().with_state(context.state_weak_ref());
    context
}

/// DataFusion's tables by path, and what it leaves unsaid: where a name
/// that looks like a file's path gives no table, the error says what is
/// wrong with the path (it does not exist, holds no readable file, is of
/// an unknown kind) instead of "table not found".
#[derive(Debug)]
struct FileTables(Arc<DynamicListTableFactory>);

#[async_trait::async_trait]
impl UrlTableFactory for FileTables {
    async fn try_new(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        if let Some(table) = self.0.try_new(name).await? {
            return Ok(Some(table));
        }
        match why_no_table(name) {
            Some(why) => Err(DataFusionError::Plan(why)),
            None => Ok(None),
        }
    }
}

/// The kinds of files a table by path is read from, for messages.
const TABLE_FILES: &str = ".csv, .parquet or .json (newline-delimited) files";

/// Why `name`, a table name DataFusion found no table for, is no table,
/// when it looks like a local path (a separator or an extension, no URL
/// scheme); `None` for other names (their "not found" says enough).
fn why_no_table(name: &str) -> Option<String> {
    let path = std::path::Path::new(name);
    let path_like = name.contains('/') || name.contains('\\') || path.extension().is_some();
    if !path_like || name.contains("://") {
        return None;
    }
    if name.contains(['*', '?', '[']) {
        return Some(format!("{name}: no file matches"));
    }
    Some(match std::fs::metadata(path) {
        Err(e) => format!(
            "{name}: {e}; a table named by path in FROM is a file or folder of {TABLE_FILES}, \
             a relative path taken from the working directory"
        ),
        Ok(meta) if meta.is_dir() => format!("{name}: a folder with none of {TABLE_FILES}"),
        Ok(_) => format!("{name}: not a kind of file tables are read from: expected {TABLE_FILES}"),
    })
}

/// DataFusion's settings with those that `DATAFUSION_*` environment
/// variables name (see [`Sql::from_env`]). DataFusion's own
/// `ConfigOptions::from_env` does the same but does not say which variable
/// it could not read.
fn config_from_env() -> Result<SessionConfig> {
    let mut options = ConfigOptions::new();
    for entry in options.entries() {
        let variable = entry.key.to_uppercase().replace('.', "_");
        if let Some(value) = std::env::var_os(&variable) {
            let value = value.to_string_lossy();
            options
                .set(&entry.key, &value)
                .map_err(|e| DataFusionError::Configuration(format!("{variable}={value}: {e}")))?;
        }
    }
    Ok(SessionConfig::from(options))
}

/// One of the four output writers.
enum Writer<W: Write + Send> {
    Table(Vec<RecordBatch>, W),
    Csv(arrow::csv::Writer<W>),
    Json(arrow::json::LineDelimitedWriter<W>),
    /// With the schema of the file (string views as plain strings).
    Parquet(parquet::arrow::ArrowWriter<W>, arrow::datatypes::SchemaRef),
}

impl<W: Write + Send> Writer<W> {
    fn new(format: OutputFormat, schema: arrow::datatypes::SchemaRef, out: W) -> Result<Self> {
        Ok(match format {
            OutputFormat::Table => Writer::Table(Vec::new(), out),
            OutputFormat::Csv => Writer::Csv(
                arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(out),
            ),
            OutputFormat::Json => Writer::Json(arrow::json::LineDelimitedWriter::new(out)),
            OutputFormat::Parquet => {
                let properties = crate::geoparquet::writer_properties();
                let geo = crate::geoparquet::geo_metadata_of(&schema);
                let schema = plain_strings(&schema);
                let mut writer = parquet::arrow::ArrowWriter::try_new(
                    out,
                    Arc::clone(&schema),
                    Some(properties),
                )?;
                if let Some(geo) = geo {
                    writer.append_key_value_metadata(parquet::file::metadata::KeyValue::new(
                        "geo".to_owned(),
                        geo,
                    ));
                }
                Writer::Parquet(writer, schema)
            }
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        match self {
            Writer::Table(batches, _) => batches.push(batch.clone()),
            Writer::Csv(w) => w.write(batch)?,
            Writer::Json(w) => w.write(batch)?,
            Writer::Parquet(w, schema) => {
                if schema.fields() == batch.schema().fields() {
                    w.write(batch)?
                } else {
                    let columns = batch
                        .columns()
                        .iter()
                        .zip(schema.fields())
                        .map(|(column, field)| arrow::compute::cast(column, field.data_type()))
                        .collect::<std::result::Result<Vec<_>, _>>()?;
                    w.write(&RecordBatch::try_new(Arc::clone(schema), columns)?)?
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        match self {
            Writer::Table(batches, mut out) => {
                let table = arrow::util::pretty::pretty_format_batches(&batches)?;
                writeln!(out, "{table}")?;
                out.flush()?;
            }
            Writer::Csv(w) => w.into_inner().flush()?,
            Writer::Json(mut w) => {
                w.finish()?;
                w.into_inner().flush()?;
            }
            Writer::Parquet(w, _) => {
                w.close()?;
            }
        }
        Ok(())
    }
}

/// `schema` with its string and binary views as plain strings and binaries,
/// in lists and structs too: the engine's own layouts, which Parquet readers
/// before Arrow's view types (pyarrow < 16 among them) cannot open.
fn plain_strings(schema: &arrow::datatypes::SchemaRef) -> arrow::datatypes::SchemaRef {
    use arrow::datatypes::Schema;
    let fields: Vec<_> = schema.fields().iter().map(plain_field).collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// One field of [`plain_strings`].
fn plain_field(field: &arrow::datatypes::FieldRef) -> arrow::datatypes::FieldRef {
    use arrow::datatypes::DataType;
    let plain = match field.data_type() {
        DataType::Utf8View => DataType::Utf8,
        DataType::BinaryView => DataType::Binary,
        DataType::List(item) => DataType::List(plain_field(item)),
        DataType::LargeList(item) => DataType::LargeList(plain_field(item)),
        DataType::FixedSizeList(item, n) => DataType::FixedSizeList(plain_field(item), *n),
        DataType::Struct(fields) => DataType::Struct(fields.iter().map(plain_field).collect()),
        _ => return Arc::clone(field),
    };
    Arc::new(field.as_ref().clone().with_data_type(plain))
}

/// `(text, count)` pairs from batches of two columns (a text column, an
/// integer count), sorted by text, null first.
///
/// # Errors
///
/// When the columns are not text and an integer.
pub fn count_pairs(batches: &[RecordBatch]) -> Result<Vec<(Option<String>, i64)>> {
    use arrow::array::{Array, AsArray};
    use arrow::compute::cast;
    use arrow::datatypes::{DataType, Int64Type};
    let mut pairs = Vec::new();
    for batch in batches {
        if batch.num_columns() != 2 {
            return Err(DataFusionError::Execution(format!(
                "expected two columns (text, count), got {}",
                batch.num_columns()
            )));
        }
        let text = cast(batch.column(0), &DataType::Utf8)?;
        let count = cast(batch.column(1), &DataType::Int64)?;
        let (text, count) = (text.as_string::<i32>(), count.as_primitive::<Int64Type>());
        for i in 0..batch.num_rows() {
            let key = text.is_valid(i).then(|| text.value(i).to_owned());
            pairs.push((key, count.value(i)));
        }
    }
    pairs.sort();
    Ok(pairs)
}
