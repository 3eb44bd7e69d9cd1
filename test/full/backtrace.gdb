# backtrace.gdb: what pga_backtraces (lib.sh) asks gdb about a core file:
#   gdb -batch -nx -q -x backtrace.gdb POSTGRES CORE
# The backtrace of the crashed thread, then one line
#   pg_architect frames: K of T, on the crash path: C
# K counts the frames whose program counter lies in pg_architect.so (by the
# shared library that holds the address, not by a function name: the
# server binary is stripped and a frame may have no name at all).
# C leaves out the frames where pg_architect only passed the call on: one of
# its hooks (ExecutorRun, planner, ProcessUtility, ...) calling PostgreSQL's
# standard_* function, directly or through the hook of another module (a
# frame of a library in PostgreSQL's lib directory, e.g. pg_stat_statements,
# whose hooks do the same).  Every executor or planner crash with
# pg_architect preloaded has such frames on its stack; C > 0 means code of
# pg_architect did more than pass the call on: it is on the crash path.
set pagination off
set width 0
set print frame-arguments scalars
echo ---- bt ----\n
bt 60
python
frames = []
f = gdb.newest_frame()
while f is not None and len(frames) < 1000:
    lib = gdb.solib_name(f.pc()) or ""
    frames.append((f.name() or "", lib))
    try:
        f = f.older()
    except gdb.error:
        break
ours = 0
onpath = 0
inner = ""          # the nearest inner frame that is neither ours nor
                    # another module's, or "" when none
for name, lib in frames:
    if lib.endswith("/pg_architect.so"):
        ours += 1
        if not inner.startswith("standard_"):
            onpath += 1
        inner = "ours"
    elif "/lib/postgresql/" in lib:
        pass        # another module's hook: look through it
    else:
        inner = name or "??"
print("pg_architect frames: %d of %d, on the crash path: %d" % (ours, len(frames), onpath))
end
