import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../shared/errors';
import { Command, CommandBatch, type CommandBatchResult, type CommandResult } from '../../shared/schema';
import type { Actor } from '../../shared/workflow';
import type { AuthContext } from '../auth';
import type { HubContext } from '../context';
import { parseWith, statusFor } from '../http-errors';

const actorOf = ({ principal }: AuthContext): Actor =>
  principal.townId === undefined
    ? { id: principal.personId, role: principal.role }
    : { id: principal.personId, role: principal.role, townId: principal.townId };

/** Commands from consoles and field devices, one at a time or as an outbox batch, and their results. */
export function commandRoutes(app: FastifyInstance, hub: HubContext): void {
  /** Checks what the workflow cannot see: hotline details come only from intake; evidence must be uploaded. */
  const precheck = async (command: Command, field = '') => {
    if (command.type === 'report' && command.hotline) {
      throw new DomainError('forbidden', '12345 work-order details come only through the hotline intake.', `${field}hotline`);
    }
    if ('attachments' in command) await hub.attachments.requireAll(command.attachments, `${field}attachments`);
  };

  app.post('/api/commands', async (req, reply) => {
    const ctx = await hub.authed(req);
    const command = parseWith(Command, req.body);
    await precheck(command);
    const { result } = await hub.pipeline.submit({ command, actor: actorOf(ctx), origin: ctx.origin });
    return reply.status(result.status === 'applied' ? 200 : statusFor(result.error.code)).send(result);
  });

  /**
   * A console's outbox drains through here: commands are applied in the order given, each on its
   * own (one rejection does not stop the rest), and the answer lists every result in that order.
   * The whole body is checked first, so a malformed batch stores nothing.
   */
  app.post('/api/commands/batch', { bodyLimit: 4 * 1024 * 1024 }, async (req): Promise<CommandBatchResult> => {
    const ctx = await hub.authed(req);
    const { commands } = parseWith(CommandBatch, req.body);
    for (const [i, c] of commands.entries()) await precheck(c, `commands.${i}.`);
    const actor = actorOf(ctx);
    // submitted synchronously, in order: the pipeline applies its queue in arrival order
    const applied = await Promise.all(commands.map((command) => hub.pipeline.submit({ command, actor, origin: ctx.origin })));
    return { results: applied.map((a) => a.result) };
  });

  app.get<{ Params: { id: string } }>('/api/commands/:id', async (req): Promise<CommandResult> => {
    const { principal } = await hub.authed(req);
    const r = await hub.store.getCommandResult(req.params.id);
    if (!r) throw new DomainError('not_found', `No command ${req.params.id} has reached the hub.`);
    // a sub-centre desk reads its own commands and those on its town's events; another town's
    // answer is told apart from a missing one by nothing, so it learns nothing about that town
    if (principal.townId !== undefined) {
      const origin = await hub.store.getCommandOrigin(req.params.id);
      const event = origin?.eventId ? await hub.store.getEvent(origin.eventId) : undefined;
      if (origin?.actorId !== principal.personId && event?.townId !== principal.townId)
        throw new DomainError('not_found', `No command ${req.params.id} has reached the hub.`);
    }
    return r;
  });
}
