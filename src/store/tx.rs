//! Use-case transactions. A use case that writes more than one row (a meeting and its
//! reminders, N forums of a template, a schedule and the meetings it plans) opens one [`Tx`],
//! writes its rows and enqueues its jobs through it, and commits: all of it happens or none.
//! Dropping a `Tx` without committing rolls it back.
//!
//! SQLite begins it `IMMEDIATE` (the write lock is taken up front, so two writers never
//! deadlock upgrading from a read, and what the use case read stays true until it commits).
//! PostgreSQL runs at READ COMMITTED; a use case that decides from a row it then changes reads
//! that row with a `FOR UPDATE` read ([`Tx::meeting_for_update`]), and unique constraints catch
//! concurrent creates. Neither needs retries on serialization failures.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{Backend, Conn, Pool, Result, Store, StoreError};

/// An open write transaction (see the module documentation).
pub struct Tx {
    conn: TxConn,
    failpoint: Arc<FailPoint>,
    /// SQLite: this process's turn to write, held until commit or rollback (dropped after the
    /// connection: declared last).
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

enum TxConn {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Test hook: 0 is off; `n` makes the `n`-th write inside a transaction from now fail.
#[derive(Debug, Default)]
pub(crate) struct FailPoint(AtomicU64);

impl FailPoint {
    fn before_write(&self) -> Result<()> {
        let previous = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        match previous {
            Ok(1) => Err(StoreError::Injected),
            _ => Ok(()),
        }
    }
}

impl Store {
    /// Begins a use case's write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        let turn = self.write_turn().await;
        let conn = match &self.pool {
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx {
            conn,
            failpoint: self.failpoint.clone(),
            _turn: turn,
        })
    }

    /// Test hook, never used by the program: the `n`-th write made inside any transaction of
    /// this store (and its clones) from now on fails with [`StoreError::Injected`], before it
    /// reaches the database. 0 disarms it. Failure-injection tests use it to stop a use case
    /// between two of its writes and check that nothing of it remains.
    #[doc(hidden)]
    pub fn fail_nth_write(&self, n: u64) {
        self.failpoint.0.store(n, Ordering::SeqCst);
    }

    /// The pool, for one statement that makes `writes` writes of a use case as a transaction
    /// would (atomic as one statement; each write counted by [`Store::fail_nth_write`], all
    /// before the statement reaches the database).
    pub(crate) fn write_many(&self, writes: usize) -> Result<Conn<'_>> {
        for _ in 0..writes {
            self.failpoint.before_write()?;
        }
        Ok(self.conn())
    }

    /// Test hook: whether an armed [`Store::fail_nth_write`] has not fired yet.
    #[doc(hidden)]
    pub fn failpoint_armed(&self) -> bool {
        self.failpoint.0.load(Ordering::SeqCst) != 0
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Sqlite(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Makes every write of this transaction permanent.
    pub async fn commit(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// The connection, for a read.
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.conn {
            TxConn::Sqlite(t) => Conn::Sqlite(t),
            TxConn::Postgres(t) => Conn::Postgres(t),
        }
    }

    /// The connection, for a write (where a test may inject a failure).
    pub(crate) fn write(&mut self) -> Result<Conn<'_>> {
        self.failpoint.before_write()?;
        Ok(self.conn())
    }

    /// The connection, for one statement that makes `writes` writes (each counted by the
    /// failure hook, all before the statement reaches the database).
    pub(crate) fn write_many(&mut self, writes: usize) -> Result<Conn<'_>> {
        for _ in 0..writes {
            self.failpoint.before_write()?;
        }
        Ok(self.conn())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failpoint_fires_once_on_the_chosen_write() {
        let f = FailPoint::default();
        assert!(f.before_write().is_ok(), "off by default");
        f.0.store(3, Ordering::SeqCst);
        assert!(f.before_write().is_ok());
        assert!(f.before_write().is_ok());
        assert!(matches!(f.before_write(), Err(StoreError::Injected)));
        assert!(f.before_write().is_ok(), "fired once, then off");
    }
}
