"""The bridge between a Dsl pipeline's driver (`run --engine dask`) and a Dask distributed cluster.

Runs under Debian's /usr/bin/python3 with python3-distributed. Reads the tasks the driver wrote (one shard of the
job each: the pipeline's own command line with `--shard I/N --attempt K`), submits each as a Dask task that runs that
command on a worker, retries a failed task with the next attempt number, and prints one JSON event per line on
stdout: submitted, started, done, failed, finished. Exit code 0 when every task succeeded, 1 when one failed for good,
2 when the scheduler could not be reached or was lost.

The command runs with PR_SET_PDEATHSIG: when its worker process dies (kill -9, out of memory), the command dies with
it, so no orphan keeps running and holding its shard's lock while Dask reruns the task elsewhere.
"""

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def die_with_parent():
    # prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills this process when its parent (the worker) dies.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def run_task(name, attempt, argv, env, cwd, queue_name):
    """One shard on a worker: the pipeline's command; raises with the tail of its stderr when it fails."""
    from distributed import Queue, get_worker

    worker = get_worker().address
    try:
        Queue(queue_name).put({"task": name, "attempt": attempt, "worker": worker})
    except Exception:  # the event is progress only; the task's result says what happened
        pass
    started = time.time()
    process = subprocess.run(argv, capture_output=True, text=True, preexec_fn=die_with_parent, env={**os.environ, **env}, cwd=cwd or None)
    seconds = time.time() - started
    if process.returncode != 0:
        tail = (process.stderr or process.stdout or "").strip().splitlines()[-5:]
        raise RuntimeError("exit code %d: %s" % (process.returncode, " | ".join(tail)))
    lines = (process.stdout or "").strip().splitlines()
    # The shard's own one-line account ("Shard 1/6 of pipeline ...: ..."), else its last line.
    summary = next((l for l in lines if l.startswith("Shard ")), lines[-1] if lines else "")
    return {"seconds": seconds, "worker": worker, "summary": summary.strip()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scheduler", required=True)
    parser.add_argument("--tasks", required=True, help="JSON: [{name, argv, env}], argv without --attempt")
    parser.add_argument("--attempts", type=int, default=3, help="tries per task (a worker lost mid-task does not count)")
    parser.add_argument("--connect-timeout", type=float, default=20)
    args = parser.parse_args()

    try:
        from distributed import Client, Queue, as_completed
    except ImportError as e:
        emit("finished", ok=False, error="python3-distributed is missing (%s): apt-get install python3-distributed" % e)
        return 2

    with open(args.tasks, encoding="utf-8") as f:
        tasks = json.load(f)
    try:
        client = Client(args.scheduler, timeout=args.connect_timeout)
    except Exception as e:
        emit("finished", ok=False, error="cannot reach the Dask scheduler at %s: %s" % (args.scheduler, e))
        return 2

    queue_name = "dsl-events-%d-%d" % (os.getpid(), int(time.time()))
    events = Queue(queue_name, client=client)
    stop = threading.Event()

    def relay():
        while not stop.is_set():
            try:
                item = events.get(timeout=0.5)
            except Exception:
                continue
            emit("started", **item)

    threading.Thread(target=relay, daemon=True).start()

    def submit(task, attempt):
        argv = task["argv"] + ["--attempt", str(attempt)]
        future = client.submit(run_task, task["name"], attempt, argv, task.get("env", {}), task.get("cwd"), queue_name, key="%s-attempt-%d-%s" % (task["name"], attempt, queue_name), pure=False)
        emit("submitted", task=task["name"], attempt=attempt)
        return future

    attempt_of = {}
    futures = {}
    for task in tasks:
        attempt_of[task["name"]] = 1
        futures[submit(task, 1)] = task
    failed = None
    pending = as_completed(list(futures))
    try:
        for future in pending:
            task = futures[future]
            name = task["name"]
            try:
                result = future.result()
                emit("done", task=name, attempt=attempt_of[name], seconds=round(result["seconds"], 3), worker=result["worker"], summary=result["summary"])
            except Exception as e:
                if future.status == "cancelled" or client.status != "running":
                    raise
                emit("failed", task=name, attempt=attempt_of[name], error=str(e)[:2000])
                if attempt_of[name] < args.attempts:
                    attempt_of[name] += 1
                    retry = submit(task, attempt_of[name])
                    futures[retry] = task
                    pending.add(retry)
                elif failed is None:
                    failed = name
                    # A task failed for good: the job cannot commit; stop the others.
                    for other in list(futures):
                        other.cancel()
                    break
    except Exception as e:
        stop.set()
        emit("finished", ok=False, error="lost the Dask scheduler at %s (%s)" % (args.scheduler, type(e).__name__))
        return 2
    stop.set()
    time.sleep(0.6)
    if failed is not None:
        emit("finished", ok=False, error="task %s failed %d times" % (failed, attempt_of[failed]))
        client.close()
        return 1
    emit("finished", ok=True, tasks=len(tasks))
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
