import { MemoryStore } from "../../src/store/memory-store";
import { runKvStoreContract } from "./kv-store.contract";

let stores = 0;

runKvStoreContract("MemoryStore", async () => {
  let now = 1_700_000_000_000;
  const store = new MemoryStore({ now: () => now, prefix: `memory-${++stores}:` });
  return { store, advance: (ms) => void (now += ms) };
});
