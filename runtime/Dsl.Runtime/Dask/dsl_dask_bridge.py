"""The bridge between a Dsl pipeline's driver (`run --engine dask`) and a Dask distributed cluster.

Runs under Debian's /usr/bin/python3 with python3-distributed. Reads the tasks the driver wrote (one shard of the
job each: the pipeline's own command line with `--shard I/N`), submits each as a Dask task that runs that command on a
worker with `--attempt K`, retries a failed task with the next attempt number, and prints one JSON event per line on
stdout: submitted, started, done, failed, finished.

Exit codes: 0 every task succeeded; 1 a task failed every try; 2 the scheduler could not be reached; 3 the scheduler
was lost; 4 the cluster had no worker for --worker-timeout seconds; 5 python3-distributed is missing; 6 the driver
went away (its end of stdin closed). On any exit but 0 the running commands are stopped: each task polls a Dask Event
the bridge sets, and kills its command when it is set or when the scheduler cannot be reached.

A command also dies with its worker process (PR_SET_PDEATHSIG, set by a small exec wrapper), so no orphan keeps
running and holding its shard attempt's lock while Dask reruns the task elsewhere.
"""

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time

# Sets PR_SET_PDEATHSIG (1) to SIGKILL (9), then becomes the command: it dies when the worker that started it dies.
WRAPPER = "import ctypes, os, sys; ctypes.CDLL('libc.so.6').prctl(1, 9); os.execvp(sys.argv[1], sys.argv[1:])"


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def run_task(name, attempt, argv, env, cwd, queue_name, stop_name):
    """One shard on a worker: the pipeline's command; raises with the tail of its stderr when it fails."""
    import subprocess

    from distributed import Event, Queue, get_worker

    worker = get_worker().address
    if cwd and not os.path.isdir(cwd):
        raise RuntimeError("the driver's working folder %s does not exist on worker %s: input, output and working folder must be on storage every worker sees" % (cwd, worker))
    try:
        Queue(queue_name).put({"task": name, "attempt": attempt, "worker": worker})
    except Exception:  # the event is progress only; the task's result says what happened
        pass
    stop = Event(stop_name)
    started = time.time()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([sys.executable, "-c", WRAPPER] + list(argv), stdout=out, stderr=err, env={**os.environ, **env}, cwd=cwd or None)
        while True:
            try:
                code = process.wait(timeout=1)
                break
            except subprocess.TimeoutExpired:
                pass
            try:
                stopped = stop.is_set()
            except Exception:
                stopped = True  # the scheduler is gone: nobody will take this result
            if stopped:
                process.kill()
                process.wait()
                raise RuntimeError("stopped: the job failed or was cancelled")
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    seconds = time.time() - started
    if code != 0:
        tail = (stderr or stdout or "").strip().splitlines()[-5:]
        raise RuntimeError("exit code %d: %s" % (code, " | ".join(tail)))
    lines = stdout.strip().splitlines()
    # The shard's own one-line account ("Shard 1/6 of pipeline ...: ..."), else its last line.
    summary = next((l for l in lines if l.startswith("Shard ")), lines[-1] if lines else "")
    return {"seconds": seconds, "worker": worker, "summary": summary.strip()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scheduler", required=True)
    parser.add_argument("--tasks", required=True, help="JSON: [{name, argv, env, cwd}], argv without --attempt")
    parser.add_argument("--attempts", type=int, default=3, help="tries per task (a worker lost mid-task does not count)")
    parser.add_argument("--connect-timeout", type=float, default=20)
    parser.add_argument("--worker-timeout", type=float, default=120, help="seconds the cluster may have no worker")
    args = parser.parse_args()

    try:
        from distributed import Client, Event, Queue, wait
    except ImportError as e:
        emit("finished", ok=False, code=5, error="python3-distributed is missing (%s): apt-get install python3-distributed" % e)
        return 5

    with open(args.tasks, encoding="utf-8") as f:
        tasks = json.load(f)
    try:
        client = Client(args.scheduler, timeout=args.connect_timeout)
    except Exception as e:
        emit("finished", ok=False, code=2, error="cannot reach the Dask scheduler at %s: %s" % (args.scheduler, e))
        return 2

    run_id = "%d-%d" % (os.getpid(), int(time.time() * 1000))
    queue_name, stop_name = "dsl-events-" + run_id, "dsl-stop-" + run_id
    events = Queue(queue_name, client=client)
    stop_event = Event(stop_name, client=client)
    finished = threading.Event()

    def relay():
        while not finished.is_set():
            try:
                item = events.get(timeout=0.5)
            except Exception:
                continue
            emit("started", **item)

    driver_gone = threading.Event()

    def watch_driver():
        # The driver keeps our stdin open while it runs; EOF means it was cancelled or died.
        sys.stdin.read()
        driver_gone.set()

    threading.Thread(target=relay, daemon=True).start()
    threading.Thread(target=watch_driver, daemon=True).start()

    def bounded(action, seconds):
        # A call to a scheduler that may be gone must not hold the exit: run it aside, wait a little.
        def attempt():
            try:
                action()
            except Exception:
                pass
        worker = threading.Thread(target=attempt, daemon=True)
        worker.start()
        worker.join(seconds)

    def end(code, error=None, **fields):
        finished.set()
        if code not in (0, 3):
            # Running commands kill themselves within a second; with the scheduler lost they find out by themselves.
            bounded(stop_event.set, 3)
        time.sleep(0.6)
        if error is None:
            emit("finished", ok=True, code=0, **fields)
        else:
            emit("finished", ok=False, code=code, error=error)
        bounded(lambda: client.close(timeout=2), 3)
        return code

    def submit(task, attempt):
        argv = task["argv"] + ["--attempt", str(attempt)]
        future = client.submit(run_task, task["name"], attempt, argv, task.get("env", {}), task.get("cwd"), queue_name, stop_name,
                               key="%s-attempt-%d-%s" % (task["name"], attempt, run_id), pure=False)
        emit("submitted", task=task["name"], attempt=attempt)
        return future

    attempt_of = {t["name"]: 1 for t in tasks}
    futures = {submit(t, 1): t for t in tasks}
    pending = set(futures)
    no_workers_since = None
    try:
        while pending:
            try:
                done, pending = wait(list(pending), timeout=2, return_when="FIRST_COMPLETED")
            except asyncio.TimeoutError:  # nothing finished in these 2 s: look at the cluster, then wait again
                done = set()
            pending = set(pending)
            if driver_gone.is_set():
                return end(6, "the driver went away; the running tasks were stopped")
            if client.status != "running":
                return end(3, "lost the Dask scheduler at %s" % args.scheduler)
            workers = len(client.scheduler_info().get("workers", {}))
            if workers == 0:
                no_workers_since = no_workers_since or time.time()
                if time.time() - no_workers_since > args.worker_timeout:
                    return end(4, "the cluster at %s had no worker for %d s" % (args.scheduler, args.worker_timeout))
            else:
                no_workers_since = None
            for future in done:
                task = futures[future]
                name = task["name"]
                if future.status == "finished":
                    result = future.result()
                    emit("done", task=name, attempt=attempt_of[name], seconds=round(result["seconds"], 3), worker=result["worker"], summary=result["summary"])
                    continue
                if future.status == "cancelled":
                    return end(3, "lost the Dask scheduler at %s (a task was cancelled)" % args.scheduler)
                emit("failed", task=name, attempt=attempt_of[name], error=str(future.exception())[:2000])
                if attempt_of[name] >= args.attempts:
                    for other in pending:
                        other.cancel()
                    return end(1, "task %s failed %d times" % (name, attempt_of[name]))
                attempt_of[name] += 1
                retry = submit(task, attempt_of[name])
                futures[retry] = task
                pending.add(retry)
    except Exception as e:
        return end(3, "lost the Dask scheduler at %s (%s)" % (args.scheduler, type(e).__name__))
    return end(0, tasks=len(tasks))


if __name__ == "__main__":
    sys.exit(main())
