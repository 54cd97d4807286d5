#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for the workflow backend tests (as root, no systemd).
#
#   tools/slurm/cluster.sh start    # install nothing; configure and start munged, slurmctld, slurmd;
#                                   # wait until `sinfo` shows the node idle (idempotent)
#   tools/slurm/cluster.sh stop     # stop the daemons this script started
#   tools/slurm/cluster.sh status   # sinfo
#
# Needs Debian's slurm-wlm and munge (`apt-get install -y slurm-wlm munge`; .ci/run installs them); MPI tasks
# launched with `srun --mpi=pmix` also need openmpi-bin, python3-mpi4py (the tests' hello world) and libpmix-dev
# (slurmd loads libpmix.so, which only the -dev package provides; restart slurmd after installing it).
# State, spool, logs and the job-completion log live under $TESSERA_SLURM_DIR (default /var/tmp/tessera-slurm);
# the config goes to /etc/slurm/slurm.conf (the path the Slurm commands read). Partition `debug`
# (default) is this machine with every core. Partition `multi` is two *virtual* nodes, vnode1 and
# vnode2, each a second slurmd on this machine (`slurmd -N vnodeK`, its own port) claiming as many
# cores as it has: the multi-node tests run real multi-node allocations and job steps on it (the
# cores are oversubscribed, so it is for correctness, never for timing).
set -euo pipefail

DIR="${TESSERA_SLURM_DIR:-/var/tmp/tessera-slurm}"
CONF=/etc/slurm/slurm.conf
HOST="$(hostname -s)"

die() { echo "tools/slurm/cluster.sh: $*" >&2; exit 1; }

need() {
  for cmd in munged slurmctld slurmd sinfo sbatch; do
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || die "missing $cmd: apt-get install -y slurm-wlm munge"
  done
  [ "$(id -u)" = 0 ] || die "run as root (the daemons and /etc/slurm need it)"
}

write_config() {
  mkdir -p "$DIR"/{state,spool,log} /etc/slurm
  local mem
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  cat >"$CONF" <<EOF
# written by tools/slurm/cluster.sh
ClusterName=tessera
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=300
SchedulerType=sched/backfill
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.%n.log
NodeName=$HOST CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
NodeName=vnode1 NodeHostname=$HOST NodeAddr=127.0.0.1 Port=17001 CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
NodeName=vnode2 NodeHostname=$HOST NodeAddr=127.0.0.1 Port=17002 CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
PartitionName=multi Nodes=vnode1,vnode2 Default=NO MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  fi
  chown munge:munge /etc/munge/munge.key 2>/dev/null || true
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  runuser -u munge -- /usr/sbin/munged --force
  touch "$DIR/started-munged"
  for _ in $(seq 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return
    sleep 0.1
  done
  die "munged did not start (munge -n | unmunge fails)"
}

running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

NODES=("$HOST" vnode1 vnode2)

all_slurmd_running() {
  for n in "${NODES[@]}"; do running "$DIR/slurmd.$n.pid" || return 1; done
}

all_idle() {
  [ "$(sinfo -h -N -o '%N %T' 2>/dev/null | grep -cE ' (idle|mixed|allocated)$')" -ge "${#NODES[@]}" ]
}

start() {
  need
  mkdir -p "$DIR"
  start_munge
  if running "$DIR/slurmctld.pid" && all_slurmd_running && all_idle; then
    echo "slurm already running: $(sinfo -h -o '%P %D %T %c')"
    return
  fi
  write_config
  mkdir -p "$DIR/spool"
  running "$DIR/slurmctld.pid" || /usr/sbin/slurmctld
  running "$DIR/slurmd.$HOST.pid" || /usr/sbin/slurmd
  running "$DIR/slurmd.vnode1.pid" || /usr/sbin/slurmd -N vnode1
  running "$DIR/slurmd.vnode2.pid" || /usr/sbin/slurmd -N vnode2
  for _ in $(seq 150); do
    if all_idle; then
      echo "slurm up: $(sinfo -h -o '%P %D %T cpus=%c' | tr '\n' ';')"
      return
    fi
    sleep 0.2
  done
  echo "--- slurmctld.log" >&2; tail -20 "$DIR/log/slurmctld.log" >&2 || true
  for n in "${NODES[@]}"; do echo "--- slurmd.$n.log" >&2; tail -10 "$DIR/log/slurmd.$n.log" >&2 || true; done
  die "the nodes did not become idle in sinfo within 30 s"
}

stop() {
  for n in "${NODES[@]}"; do
    if running "$DIR/slurmd.$n.pid"; then
      kill "$(cat "$DIR/slurmd.$n.pid")" && echo "stopped slurmd $n"
    fi
  done
  # a slurmd of the single-node layout this script wrote before
  if running "$DIR/slurmd.pid"; then kill "$(cat "$DIR/slurmd.pid")" && echo "stopped slurmd"; fi
  if running "$DIR/slurmctld.pid"; then
    kill "$(cat "$DIR/slurmctld.pid")" && echo "stopped slurmctld"
  fi
  if [ -e "$DIR/started-munged" ]; then
    pkill -u munge -x munged && echo "stopped munged"
    rm -f "$DIR/started-munged"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) die "usage: tools/slurm/cluster.sh start|stop|status" ;;
esac
