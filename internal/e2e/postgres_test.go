package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/verify"
)

// The proof runs every database combination against a real PostgreSQL:
// a private cluster of the machine's server (Debian's postgresql
// package; .ci/run installs it), made with initdb in a temporary folder,
// listening on a free port of 127.0.0.1 and a socket folder of its own,
// and stopped at the end. The server refuses to run as root: as root,
// its programs run as the postgres user through runuser.
//
//	SCAFFOLD_POSTGRES_BIN  the folder of initdb, pg_ctl and createdb
//	                       (default: the newest /usr/lib/postgresql/*/bin)

// pgCluster is one private PostgreSQL server.
type pgCluster struct {
	bin, dir string
	port     int
	// as runs a program as the user that owns the cluster.
	as []string
}

// postgresBin finds the folder of the server's programs, "" if none.
func postgresBin() string {
	if dir := os.Getenv("SCAFFOLD_POSTGRES_BIN"); dir != "" {
		return dir
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) < pgMajor(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

var majorRE = regexp.MustCompile(`/postgresql/(\d+)/`)

func pgMajor(dir string) int {
	m := majorRE.FindStringSubmatch(dir)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// requirePostgres is the folder of the server's programs, or skips the
// test (fails it in strict mode) when the machine has none.
func requirePostgres(t *testing.T) string {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		msg := "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql, or set SCAFFOLD_POSTGRES_BIN"
		if mode == "strict" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED LOUDLY: " + msg)
	}
	return bin
}

// newCluster makes and starts a cluster, stopped when the test ends.
func newCluster(t *testing.T) *pgCluster {
	t.Helper()
	c, err := startCluster(requirePostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.destroy)
	return c
}

func startCluster(bin string) (*pgCluster, error) {
	dir, err := os.MkdirTemp("", "scaffold-e2e-pg-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("PostgreSQL refuses to run as root, and there is no postgres user to run it as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := c.run("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if c.port, err = verify.FreePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

func (c *pgCluster) run(program string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, c.as...), filepath.Join(c.bin, program)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// start starts the server and waits until it accepts connections.
func (c *pgCluster) start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", c.port, c.dir)
	if out, err := c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, c.log())
	}
	return nil
}

// stop stops the server, cutting off its clients.
func (c *pgCluster) stop() error {
	if out, err := c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "-t", "60", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

func (c *pgCluster) log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "log"))
	return string(b)
}

func (c *pgCluster) destroy() {
	_ = c.stop()
	os.RemoveAll(c.dir)
}

// url is the DATABASE_URL of the database db.
func (c *pgCluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// createDB makes a database named after name, and returns its URL.
func (c *pgCluster) createDB(t *testing.T, name string) string {
	t.Helper()
	db := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(name))
	if out, err := c.run("createdb", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres", db); err != nil {
		t.Fatalf("createdb %s: %v\n%s", db, err, out)
	}
	return c.url(db)
}

// The cluster the proof's database sets share, each with a database of
// its own; started by the first set that needs it, stopped by TestMain.
var shared struct {
	once    sync.Once
	cluster *pgCluster
	err     error
}

func sharedCluster(t *testing.T) *pgCluster {
	t.Helper()
	bin := requirePostgres(t)
	shared.once.Do(func() { shared.cluster, shared.err = startCluster(bin) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.cluster
}

func stopSharedCluster() {
	if shared.cluster != nil {
		shared.cluster.destroy()
	}
}

// TestPostgresCluster checks the proof's own harness, so that a broken
// one fails here, by name, rather than in every database set: a cluster
// starts, makes a database, stops (refusing connections) and starts
// again.
func TestPostgresCluster(t *testing.T) {
	if mode == "" {
		t.Skip("set SCAFFOLD_E2E=1 to run")
	}
	c := newCluster(t)
	url := c.createDB(t, "Harness-1")
	if !strings.HasSuffix(url, "/harness_1?sslmode=disable") {
		t.Errorf("url = %s", url)
	}
	isReady := func() error {
		_, err := c.run("pg_isready", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-d", "harness_1")
		return err
	}
	if err := isReady(); err != nil {
		t.Fatalf("the cluster does not accept connections: %v\n%s", err, c.log())
	}
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	if isReady() == nil {
		t.Fatal("the cluster accepts connections after stop")
	}
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
	if err := isReady(); err != nil {
		t.Fatalf("the cluster does not accept connections after a restart: %v", err)
	}
}
