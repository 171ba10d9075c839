//! The collected tables in SQLite: created from the schema, filled in one transaction,
//! and read back (tables and views alike) for the xlsx and CSV outputs.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, Transaction};

use super::Collected;
use super::rows::{Sink, insert_collected};
use super::schema::{Kind, SCHEMA_VERSION, Table, tables};
use crate::error::{Error, Result};

/// A database of collected tables.
pub(crate) struct Store {
    conn: Connection,
    name: String,
}

impl Store {
    /// Opens (or creates) a database file; one made by another schema version is refused.
    pub(crate) fn open(path: &Path) -> Result<Store> {
        let name = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| sql_error(&name, e))?;
        Store::prepare(conn, name)
    }

    /// A database in memory, for the xlsx and CSV outputs.
    pub(crate) fn in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|e| sql_error("<memory>", e))?;
        Store::prepare(conn, "<memory>".into())
    }

    fn prepare(conn: Connection, name: String) -> Result<Store> {
        let store = Store { conn, name };
        store
            .conn
            .execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(|e| store.error(e))?;
        let has_meta: bool = store
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(|e| store.error(e))?
            > 0;
        if has_meta {
            let version: Option<String> = store
                .conn
                .query_row(
                    "SELECT value FROM meta WHERE key = 'schema_version'",
                    [],
                    |r| r.get(0),
                )
                .ok();
            if version.as_deref() != Some(SCHEMA_VERSION) {
                return Err(Error::Unsupported {
                    message: format!(
                        "{}: made by another version of jixiao collect (schema {}, this one writes {SCHEMA_VERSION}); collect into a new file",
                        store.name,
                        version.as_deref().unwrap_or("unknown")
                    ),
                });
            }
        } else {
            let user_tables: i64 = store
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|e| store.error(e))?;
            if user_tables > 0 {
                return Err(Error::Unsupported {
                    message: format!(
                        "{}: a database that jixiao collect did not make; collect into a new file",
                        store.name
                    ),
                });
            }
            store
                .conn
                .execute_batch(&create_sql())
                .map_err(|e| store.error(e))?;
        }
        Ok(store)
    }

    fn error(&self, e: rusqlite::Error) -> Error {
        sql_error(&self.name, e)
    }

    /// file → sha256 of every file collected before.
    pub(crate) fn known(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT file, sha256 FROM documents")
            .map_err(|e| self.error(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                ))
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error(e))
    }

    /// Replaces the rows of each collected file (its old rows go with its `documents`
    /// row), all in one transaction: the database is updated whole or not at all.
    pub(crate) fn replace(&mut self, collected: &[Collected]) -> Result<()> {
        let name = self.name.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&name, e))?;
        {
            let mut sink = TxSink {
                tx: &tx,
                name: &name,
            };
            for c in collected {
                tx.execute("DELETE FROM documents WHERE file = ?1", [&c.file])
                    .map_err(|e| sql_error(&name, e))?;
                insert_collected(&mut sink, c)?;
            }
        }
        tx.commit().map_err(|e| sql_error(&name, e))
    }

    /// Every row of a table or view, in id order (views in their own order), as the
    /// schema's columns.
    pub(crate) fn rows(&self, table: &Table) -> Result<Vec<Vec<Sql>>> {
        let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let order = if table.view.is_some() {
            ""
        } else {
            " ORDER BY id"
        };
        let sql = format!("SELECT {} FROM {}{order}", columns.join(", "), table.name);
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.error(e))?;
        let n = columns.len();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, Sql>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error(e))
    }
}

struct TxSink<'a> {
    tx: &'a Transaction<'a>,
    name: &'a str,
}

impl Sink for TxSink<'_> {
    fn insert(&mut self, table: &str, row: &[(&str, Sql)]) -> Result<i64> {
        let (columns, sql) = insert_of(table);
        debug_assert!(
            row.iter().all(|(k, _)| columns.contains(k)),
            "{table}: a value for a column the schema lacks: {:?}",
            row.iter()
                .map(|(k, _)| *k)
                .filter(|k| !columns.contains(k))
                .collect::<Vec<_>>()
        );
        let mut stmt = self
            .tx
            .prepare_cached(sql)
            .map_err(|e| sql_error(self.name, e))?;
        let values: Vec<&Sql> = columns
            .iter()
            .map(|c| {
                row.iter()
                    .find(|(k, _)| k == c)
                    .map_or(&Sql::Null, |(_, v)| v)
            })
            .collect();
        stmt.execute(rusqlite::params_from_iter(values))
            .map_err(|e| sql_error(self.name, e))?;
        Ok(self.tx.last_insert_rowid())
    }
}

/// A table's INSERT: its columns but `id`, in schema order, and the statement — made
/// once per table, not once per row.
fn insert_of(table: &str) -> &'static (Vec<&'static str>, String) {
    static INSERTS: LazyLock<HashMap<&'static str, (Vec<&'static str>, String)>> =
        LazyLock::new(|| {
            tables()
                .iter()
                .filter(|t| t.view.is_none())
                .map(|t| {
                    let columns: Vec<&'static str> = t
                        .columns
                        .iter()
                        .filter(|c| c.kind != Kind::Id)
                        .map(|c| c.name.as_str())
                        .collect();
                    let placeholders: Vec<String> =
                        (1..=columns.len()).map(|i| format!("?{i}")).collect();
                    let sql = format!(
                        "INSERT INTO {} ({}) VALUES ({})",
                        t.name,
                        columns.join(", "),
                        placeholders.join(", ")
                    );
                    (t.name, (columns, sql))
                })
                .collect()
        });
    INSERTS
        .get(table)
        .unwrap_or_else(|| panic!("no collected table {table}"))
}

/// CREATE statements for every table, view and index, and the `meta` table.
fn create_sql() -> String {
    let mut sql = String::from("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n");
    sql.push_str(&format!(
        "INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}'), ('generator', 'jixiao {}');\n",
        env!("CARGO_PKG_VERSION")
    ));
    for table in tables() {
        if let Some(select) = table.view {
            sql.push_str(&format!("CREATE VIEW {} AS {select};\n", table.name));
            continue;
        }
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| match c.kind {
                // AUTOINCREMENT: a replaced document never takes an old id back.
                Kind::Id => format!("{} INTEGER PRIMARY KEY AUTOINCREMENT", c.name),
                Kind::Ref(parent) => format!(
                    "{} INTEGER REFERENCES {parent}(id) ON DELETE CASCADE",
                    c.name
                ),
                // A file is collected once: running again replaces its rows.
                other if table.name == "documents" && c.name == "file" => {
                    format!("{} {} NOT NULL UNIQUE", c.name, other.sql())
                }
                other => format!("{} {}", c.name, other.sql()),
            })
            .collect();
        sql.push_str(&format!(
            "CREATE TABLE {} (\n  {}\n);\n",
            table.name,
            columns.join(",\n  ")
        ));
        for column in table.indexes {
            sql.push_str(&format!(
                "CREATE INDEX {t}_{column} ON {t} ({column});\n",
                t = table.name
            ));
        }
    }
    sql
}

fn sql_error(name: &str, e: rusqlite::Error) -> Error {
    Error::Write {
        path: name.to_string(),
        reason: format!("SQLite: {e}"),
    }
}
