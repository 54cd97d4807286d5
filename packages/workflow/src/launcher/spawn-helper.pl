# The spawn helper of @tessera/workflow's launcher in Perl (only perl-base: POSIX, Fcntl): a tiny,
# long-lived process that starts task processes for the launcher. Forking this few-megabyte process
# costs a fraction of forking a Node process, so it is preferred when `perl` is on the PATH; the Node
# helper (spawn-helper.js) and spawner threads are the fallbacks. Same semantics as spawn-child.js.
#
# Protocol. It first writes "R\n" (ready). Requests on stdin: a decimal byte count, "\n", then that
# many bytes of NUL-separated fields:
#   id, cwd, stdoutPath, stderrPath, n, argv[0..n-1], m, m "KEY=value" set in the environment held
#   from the previous request (empty at first), k, k names removed from it
# Reports on stdout, one line each:
#   "S <id> <pid>"            started (own session and process group, stdin from /dev/null,
#                             stdout/stderr truncated to the files, cwd, exactly that environment)
#   "X <id> <code> <signal>"  exited: code or signal number, the other "-"
#   "E <id> <errno>"          could not be started (errno of the open, chdir or exec that failed)
# It exits when its stdin closes; started processes run on.
use strict;
use warnings;
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use POSIX ();

my %env;     # the environment of the last request
my %live;    # pid -> request id
my $out = '';

# SIGCHLD wakes the select loop through a pipe (both ends close on exec)
pipe(my $wake_r, my $wake_w) or die "pipe: $!";
fcntl($wake_w, F_SETFL, fcntl($wake_w, F_GETFL, 0) | O_NONBLOCK);
$SIG{CHLD} = sub { syswrite($wake_w, 'x') };
$SIG{PIPE} = 'IGNORE';

sub start {
    my ($id, $cwd, $stdout, $stderr, $n, @rest) = @_;
    my @argv = splice(@rest, 0, $n);
    my $m = shift @rest;
    for my $kv (splice(@rest, 0, $m)) {
        my $i = index($kv, '=');
        $env{ substr($kv, 0, $i) } = substr($kv, $i + 1);
    }
    my $k = shift @rest;
    delete @env{ splice(@rest, 0, $k) };
    pipe(my $err_r, my $err_w) or do { $out .= "E $id " . ($! + 0) . "\n"; return };
    my $pid = fork();
    if (!defined $pid) {
        $out .= "E $id " . ($! + 0) . "\n";
        return;
    }
    if ($pid == 0) {
        close $err_r;
        my $fail = sub { syswrite($err_w, ($! + 0) . ''); POSIX::_exit(127) };
        $SIG{CHLD} = 'DEFAULT';
        $SIG{PIPE} = 'DEFAULT';
        POSIX::setsid();
        open(STDOUT, '>', $stdout) or $fail->();
        open(STDERR, '>', $stderr) or $fail->();
        open(STDIN, '<', '/dev/null') or $fail->();
        chdir($cwd) or $fail->();
        %ENV = %env;
        { no warnings 'exec'; exec { $argv[0] } @argv; }
        $fail->();
    }
    close $err_w;
    my $got = sysread($err_r, my $errno, 16);
    close $err_r;
    if ($got) {
        waitpid($pid, 0);
        $out .= "E $id $errno\n";
        return;
    }
    $live{$pid} = $id;
    $out .= "S $id $pid\n";
}

sub reap {
    while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
        my $id = delete $live{$pid};
        next unless defined $id;
        my $status = $?;
        if (POSIX::WIFSIGNALED($status)) {
            $out .= "X $id - " . POSIX::WTERMSIG($status) . "\n";
        } else {
            $out .= "X $id " . POSIX::WEXITSTATUS($status) . " -\n";
        }
    }
}

sub flush {
    while (length $out) {
        my $w = syswrite(STDOUT, $out);
        if (!defined $w) {
            next if $!{EINTR};
            exit 0;    # the launcher is gone
        }
        substr($out, 0, $w) = '';
    }
}

$out = "R\n";
flush();
my $buf = '';
my $rin = '';
vec($rin, fileno(STDIN), 1) = 1;
vec($rin, fileno($wake_r), 1) = 1;
while (1) {
    my $n = select(my $rout = $rin, undef, undef, undef);
    if ($n < 0) {
        next if $!{EINTR};
        die "select: $!";
    }
    if (vec($rout, fileno($wake_r), 1)) {
        sysread($wake_r, my $drained, 4096);
    }
    if (vec($rout, fileno(STDIN), 1)) {
        my $got = sysread(STDIN, $buf, 65536, length $buf);
        if (!defined $got) {
            next if $!{EINTR};
            exit 0;
        }
        exit 0 if $got == 0;
        while ((my $nl = index($buf, "\n")) >= 0) {
            my $len = substr($buf, 0, $nl);
            last if length($buf) < $nl + 1 + $len;
            my $payload = substr($buf, $nl + 1, $len);
            substr($buf, 0, $nl + 1 + $len) = '';
            start(split /\0/, $payload, -1);
        }
    }
    reap();
    flush();
}
