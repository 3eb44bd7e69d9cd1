# backtrace.gdb: what pga_backtraces (lib.sh) asks gdb about a core file:
#   gdb -batch -nx -q -x backtrace.gdb POSTGRES CORE
# The backtrace of the crashed thread, then one line
#   pg_architect frames: K of T
# counting the frames whose program counter lies in pg_architect.so (by
# the shared library that holds the address, not by a function name: the
# server binary is stripped and a frame may have no name at all).
set pagination off
set width 0
set print frame-arguments scalars
echo ---- bt ----\n
bt 60
python
n = 0
ours = 0
f = gdb.newest_frame()
while f is not None and n < 1000:
    n += 1
    lib = gdb.solib_name(f.pc()) or ""
    if lib.endswith("/pg_architect.so"):
        ours += 1
    try:
        f = f.older()
    except gdb.error:
        break
print("pg_architect frames: %d of %d" % (ours, n))
end
