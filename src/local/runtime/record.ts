/**
 * The runtime's record part: the JSON record that `invoke --local` and `status --local` read
 * (src/local/runtime-state.ts), kept in step with the agent (its pid changes when it is restarted)
 * and removed when the runtime stops. With `enabled` false (tests, embedders) nothing is written.
 */
import { AgentcoreError } from "../../errors.js";
import type { LocalRuntimeRecord } from "../runtime-state.js";
import type { RuntimeRecordStore } from "./parts.js";

export class RuntimeRecord {
  private record: LocalRuntimeRecord | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: RuntimeRecordStore,
    private readonly env: NodeJS.ProcessEnv,
    private readonly agentName: string,
    private readonly enabled: boolean,
    /** True once the runtime stops: a late update must not rewrite a removed record. */
    private readonly stopping: () => boolean,
  ) {}

  /** One local runtime per agent name: a second one would take over the first one's record and log. */
  async refuseSecondRuntime(): Promise<void> {
    if (!this.enabled) return;
    const running = await this.store.read(this.env, this.agentName);
    if (running) {
      throw new AgentcoreError(
        `A local runtime for "${this.agentName}" is already running (process ${running.pid}, gateway ${running.gatewayUrl}).`,
        {
          code: "LocalRuntimeRunning",
          hint: `Use it (\`agentcore-ts invoke --local\`), or stop it first: Ctrl-C in its terminal, or \`kill ${running.pid}\`.`,
        },
      );
    }
  }

  /** Writes the record (when enabled); returns true when there is one to remove at stop. */
  async write(record: LocalRuntimeRecord): Promise<boolean> {
    this.record = record;
    if (!this.enabled) return false;
    await this.store.write(this.env, record);
    return true;
  }

  /** The agent was restarted: record its new pid (writes are queued, and none after the stop). */
  agentRestarted(agentPid: number): void {
    if (!this.record || !this.enabled) return;
    const updated = { ...this.record, agentPid };
    this.writes = this.writes.then(() => (this.stopping() ? undefined : this.store.write(this.env, updated))).catch(() => undefined);
  }

  /** Waits for queued writes, then removes the record. */
  async remove(): Promise<void> {
    await this.writes;
    await this.store.remove(this.env, this.agentName);
  }

  /** For the process's "exit" event: removes the record at once. */
  removeSync(): void {
    if (this.record && this.enabled) this.store.removeSync(this.env, this.agentName);
  }
}
