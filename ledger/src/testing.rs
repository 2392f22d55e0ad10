//! A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` in a
//! fresh temporary directory, `pg_ctl start` on a free loopback port (no
//! Unix socket outside that directory), stopped and deleted on drop. The
//! binaries come from `ATTEST_PG_BIN` or the newest
//! `/usr/lib/postgresql/<version>/bin` (the Debian layout). The server
//! programs refuse to run as root, so a root caller runs them as the
//! `postgres` user (`runuser -u postgres --`) on a directory it owns.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// A running throwaway cluster.
#[derive(Debug)]
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn pg_bin() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("ATTEST_PG_BIN") {
        return Ok(PathBuf::from(p));
    }
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .map_err(|e| format!("{}: {e} (install PostgreSQL or set ATTEST_PG_BIN)", root.display()))?
        .filter_map(|d| d.ok())
        .filter_map(|d| Some((d.file_name().to_str()?.parse::<u32>().ok()?, d.path().join("bin"))))
        .filter(|(_, p)| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p).ok_or_else(|| format!("no PostgreSQL under {}", root.display()))
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

impl PgCluster {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        c.current_dir(&self.dir);
        c
    }

    fn run(&self, mut c: Command, what: &str) -> Result<(), String> {
        let out = c.output().map_err(|e| format!("{what}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{what} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Creates and starts a cluster (superuser `postgres`, trust
    /// authentication on 127.0.0.1 only).
    pub fn start() -> Result<Self, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let bin = pg_bin()?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "attest-pg-{}-{nanos}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let as_postgres = running_as_root();
        let cluster = Self { dir, bin, port: free_port()?, as_postgres };
        if as_postgres {
            let mut c = Command::new("chown");
            c.args(["postgres:postgres"]).arg(&cluster.dir);
            cluster.run(c, "chown postgres")?;
        }
        let mut c = cluster.command("initdb");
        c.args(["-D", "data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        cluster.run(c, "initdb")?;
        cluster.restart()?;
        Ok(cluster)
    }

    /// Stops the server (fast shutdown: connections are closed), keeping its data.
    pub fn stop(&self) -> Result<(), String> {
        let mut c = self.command("pg_ctl");
        c.args(["-D", "data", "-m", "fast", "-w", "stop"]);
        self.run(c, "pg_ctl stop")
    }

    /// Starts the (stopped) server on its port.
    pub fn restart(&self) -> Result<(), String> {
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={} -c fsync=on -c max_connections=50",
            self.port,
            self.dir.display()
        );
        let mut c = self.command("pg_ctl");
        c.args(["-D", "data", "-l", "server.log", "-w", "-t", "60", "-o", &opts, "start"]);
        self.run(c, "pg_ctl start")
    }

    /// The URL of database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name` and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        let mut client =
            postgres::Client::connect(&self.url("postgres"), postgres::NoTls).map_err(|e| format!("connect: {e}"))?;
        client.batch_execute(&format!("CREATE DATABASE \"{name}\"")).map_err(|e| format!("create database: {e}"))?;
        Ok(self.url(name))
    }

    /// The server's log so far (for failure messages).
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let mut c = self.command("pg_ctl");
        c.args(["-D", "data", "-m", "immediate", "-w", "stop"]);
        let _ = c.output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
