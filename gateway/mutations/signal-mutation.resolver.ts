import { Types } from 'mongoose';
import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { ApiKeyRole, Signal, type SignalCommand, type SignalCommandReply } from '../../schema';
import type { GatewayContext } from '../context';
import { BadUserInputError, InternalServerError, NotFoundError } from '../errors/gateway-errors';
import type { GatewayServices } from '../gateway-services';
import { SIGNAL_SUMMARY_PROJECTION } from '../loaders/gateway-loaders';
import { toXRayPayload } from './xray-input.mapping';
import { XRayInput } from './xray.input';

function checkSignalId(id: string): string {
  if (!/^[0-9a-fA-F]{24}$/.test(id)) throw new BadUserInputError('`id` is not a signal id', { argument: 'id' });
  return id.toLowerCase();
}

/**
 * Signal mutations. The processor is the only writer of signals and rollups, so each mutation is
 * a command to it over RabbitMQ, and the answer is awaited (with a timeout).
 */
@Resolver()
export class SignalMutationResolver {
  constructor(private readonly services: GatewayServices) {}

  @Authorized(ApiKeyRole.ADMIN)
  @Mutation(() => Signal, {
    description: 'Stores a message as if a device had sent it (validated, derived, rolled up, published). ADMIN only.',
  })
  async createSignal(@Arg('input', () => XRayInput) input: XRayInput, @Ctx() ctx: GatewayContext): Promise<Signal> {
    const payload = toXRayPayload(input, Date.now());
    const reply = await this.send({ kind: 'create', deviceId: input.deviceId, payload }, ctx);
    return this.storedSignal(reply.signalId, ctx);
  }

  @Authorized(ApiKeyRole.ADMIN)
  @Mutation(() => Signal, {
    description: "Replaces a signal's message and re-derives everything from it (stats, rollups). ADMIN only.",
  })
  async updateSignal(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => XRayInput) input: XRayInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Signal> {
    const signalId = checkSignalId(id);
    const payload = toXRayPayload(input, Date.now());
    const reply = await this.send({ kind: 'update', signalId, deviceId: input.deviceId, payload }, ctx);
    return this.storedSignal(reply.signalId, ctx);
  }

  @Authorized(ApiKeyRole.ADMIN)
  @Mutation(() => Boolean, { description: 'Deletes a signal; the rollups drop its contribution. ADMIN only.' })
  async deleteSignal(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<boolean> {
    const reply = await this.send({ kind: 'delete', signalId: checkSignalId(id) }, ctx);
    return reply.deleted ?? true;
  }

  private async send(command: SignalCommand, ctx: GatewayContext): Promise<Extract<SignalCommandReply, { ok: true }>> {
    const reply = await this.services.commands.send(command, ctx.requestId);
    if (reply.ok) return reply;
    switch (reply.code) {
      case 'BAD_USER_INPUT':
        throw new BadUserInputError(reply.message);
      case 'NOT_FOUND':
        throw new NotFoundError(reply.message);
      case 'INTERNAL_SERVER_ERROR':
        ctx.logger.error({ command: command.kind, reason: reply.message }, 'the processor failed a command');
        // An update or delete (and a create's payload) may have been written in part before the
        // failure; the processor answers BAD_USER_INPUT or NOT_FOUND when nothing was changed.
        throw new InternalServerError('the processing service failed; the change may or may not have been applied');
      default:
        ctx.logger.error({ reply }, 'command reply with an unknown code');
        throw new InternalServerError('the processing service sent an unknown answer');
    }
  }

  /**
   * The signal a command stored, read back to answer with. The change is made by then: a failed read
   * must not read as DEPENDENCY_UNAVAILABLE ("nothing was changed"), so it names the signal instead.
   */
  private async storedSignal(signalId: string, ctx: GatewayContext): Promise<Signal> {
    let signal: Signal | null;
    try {
      signal = await this.services.models.signals
        .findOne({ _id: new Types.ObjectId(signalId) }, SIGNAL_SUMMARY_PROJECTION)
        .lean<Signal>();
    } catch (error) {
      ctx.logger.error({ err: error, signalId }, 'could not read back the signal a command stored');
      throw new InternalServerError(
        `the change was applied (signal ${signalId}), but reading it back failed; read it with signal(id)`,
        { reason: 'COMMAND_APPLIED_READ_FAILED', signalId },
      );
    }
    if (!signal) throw new NotFoundError(`signal ${signalId} was deleted meanwhile`, { signalId });
    return signal;
  }
}
