// T04 memory bomb (JavaScript). How: keep 16 MiB Buffers filled with data in an array forever; a
// Node process hitting V8's heap limit aborts, but Buffers live outside the V8 heap.
// Expected safe outcome: MEMORY_LIMIT from the cgroup OOM killer (or RUNTIME_ERROR when Node aborts
// on allocation failure first); peak memory close to the limit; the worker is unaffected.
const blocks = [];
for (;;) {
  blocks.push(Buffer.alloc(16 << 20, 0x5a));
  if (blocks.length === 1) console.log(JSON.stringify({ check: 'first-block', ok: true, errno: '' }));
}
