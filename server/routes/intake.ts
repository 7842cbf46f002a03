import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../shared/errors';
import { hotlineCategory, hotlineOrderInfo } from '../../shared/hotline';
import { HotlineWorkOrder, type Command, type HotlineIntakeResult } from '../../shared/schema';
import { categoryById } from '../../shared/taxonomy';
import type { HubContext } from '../context';
import { requireIntakeToken } from '../intake';
import { HOTLINE_ACTOR, hotlineCommandId, hotlineContentHash, hotlineEventId } from '../hotline';
import { parseWith, statusFor } from '../http-errors';

/**
 * 12345 work orders, authenticated by the intake token (not a desk session). Idempotent by order
 * number: the event and command ids derive from it, so a repeat answers as the first did; the
 * same number with different content is refused and stores nothing.
 */
export function intakeRoutes(app: FastifyInstance, hub: HubContext, hotlineToken: string | undefined): void {
  app.post('/api/intake/12345', async (req, reply): Promise<HotlineIntakeResult> => {
    requireIntakeToken(req, hotlineToken, { name: 'The 12345 intake', option: 'hotlineToken' });
    const order = parseWith(HotlineWorkOrder, req.body);
    const categoryId = hotlineCategory(order);
    if (!categoryById(hub.taxonomy, categoryId)) {
      throw new DomainError('unknown_reference', `Unknown category ${categoryId}`, order.categoryId !== undefined ? 'categoryId' : 'type');
    }
    // an order without a position goes to the centre of the community its address names, flagged
    const position = order.position ?? hub.district.placeOfAddress(order.address);
    if (!position) throw new DomainError('invalid', 'The order has no position and the hub knows no place to put it; send a position.', 'position');
    const eventId = hotlineEventId(order.orderNo);
    const contentHash = hotlineContentHash(order);
    const kept = await hub.store.putHotlineOrder({
      orderNo: order.orderNo,
      eventId,
      contentHash,
      receivedAt: order.receivedAt,
      storedAt: hub.now(),
      data: JSON.stringify(order),
    });
    if (kept.contentHash !== contentHash) {
      throw new DomainError(
        'already_exists',
        `12345 order ${order.orderNo} was already received with different content (event ${kept.eventId}); a new order needs a new number.`,
        'orderNo',
      );
    }
    const command: Command = {
      type: 'report',
      commandId: hotlineCommandId(order.orderNo),
      eventId,
      categoryId,
      description: order.content,
      position,
      address: order.address,
      source: 'hotline',
      reportedAt: order.receivedAt,
      attachments: [],
      hotline: hotlineOrderInfo(order),
      ...(order.position === undefined ? { positionUnconfirmed: true } : {}),
    };
    const { result } = await hub.pipeline.submit({ command, actor: HOTLINE_ACTOR, origin: 'hotline-12345' });
    if (result.status === 'applied') return { eventId, status: 'applied' };
    return reply.status(statusFor(result.error.code)).send({ eventId, status: 'rejected', error: result.error });
  });
}
