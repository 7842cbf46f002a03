import { isOpenState, type EventRecord, type ReporterContact, type EventState, type Open311RequestInput, type Open311Service, type Open311ServiceRequest, type Open311Status } from './schema';
import type { Category, Taxonomy } from './taxonomy';

/* Open311 GeoReport v2 ↔ the hub's events: pure mappings, no I/O. */

/** One Open311 service per taxonomy category: its id is the service code. */
export function open311Services(taxonomy: Taxonomy): Open311Service[] {
  return taxonomy.categories.map((c) => {
    const parent = c.parentId === undefined ? undefined : taxonomy.categories.find((p) => p.id === c.parentId);
    return {
      service_code: c.id,
      service_name: c.name.zh,
      description: `${c.name.zh} · ${c.name.en}`,
      metadata: false,
      type: 'realtime',
      keywords: [c.id, ...c.name.en.toLowerCase().split(/\s+/)].join(','),
      group: parent ? parent.name.zh : c.name.zh,
    };
  });
}

/** Open311 knows two statuses; a merged report follows the event it joined. */
export function open311Status(state: EventState): Open311Status {
  return isOpenState(state) ? 'open' : 'closed';
}

/** What the public reads about each state (status_notes). */
export const OPEN311_STATE_NOTES: Readonly<Record<EventState, string>> = {
  reported: '已受理，待立案 Received, awaiting registration',
  accepted: '已立案 Registered',
  rejected: '不予受理 Not taken up',
  dispatched: '已派遣网格员 Dispatched to the grid',
  acknowledged: '网格员已签收 Acknowledged by the grid',
  on_site: '网格员已到场 On site',
  feedback: '已处置，待审核 Handled, under review',
  returned: '复核退回，继续处置 Sent back for more work',
  reviewed: '已审核，待结案 Reviewed',
  escalated: '已提级，相关部门协同处置 Escalated to the departments',
  closed: '已结案 Closed',
  evaluated: '已结案并回访 Closed and evaluated',
  merged: '与他人报告的同一问题合并办理 Merged with a report of the same problem',
};

/** The event description for a request: its own words, or the service name. */
export function open311Description(input: Pick<Open311RequestInput, 'description'>, serviceName: string): string {
  return input.description || `市民通过 Open311 上报：${serviceName}`;
}

/** Who filed the request, for the desk's call-back; never shown through Open311. */
export function open311Contact(input: Open311RequestInput): ReporterContact | undefined {
  const name = [input.last_name, input.first_name].filter(Boolean).join('');
  const c: ReporterContact = {
    ...(name ? { name } : {}),
    ...(input.phone ? { phone: input.phone } : {}),
    ...(input.email ? { email: input.email } : {}),
    ...(input.media_url ? { mediaUrl: input.media_url } : {}),
  };
  return Object.keys(c).length > 0 ? c : undefined;
}

/** ISO 8601 in China Standard Time (+08:00), as Open311 clients show it to people there. */
export function isoCst(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

export interface RequestView {
  category: Category | undefined;
  /** who handles it: the town's sub-centre or the district centre */
  agency: string;
  /** for a merged report, the event it joined (its state is the request's status) */
  mergedInto?: EventRecord;
}

/** An event as Open311 shows it to anyone: no reporter name, phone or email. */
export function open311Request(event: EventRecord, view: RequestView): Open311ServiceRequest {
  const governing = event.state === 'merged' && view.mergedInto ? view.mergedInto : event;
  const status = open311Status(governing.state);
  const notes = event.state === 'merged' && view.mergedInto
    ? `${OPEN311_STATE_NOTES.merged}；${OPEN311_STATE_NOTES[governing.state]}`
    : OPEN311_STATE_NOTES[event.state];
  const deadline = governing.deadline;
  return {
    service_request_id: event.id,
    status,
    status_notes: notes,
    service_name: view.category?.name.zh ?? event.categoryId,
    service_code: event.categoryId,
    description: event.description,
    agency_responsible: view.agency,
    service_notice: status === 'closed' ? '办理完毕，感谢您的参与。 Handled; thank you.' : serviceNotice(event.id),
    requested_datetime: isoCst(event.reportedAt),
    updated_datetime: isoCst(Math.max(event.updatedAt, governing.updatedAt)),
    ...(deadline !== undefined && status === 'open' ? { expected_datetime: isoCst(deadline) } : {}),
    address: event.address ?? '',
    lat: event.position.lat,
    long: event.position.lng,
  };
}

export const serviceNotice = (id: string) => `已收到，编号 ${id}，可凭编号查询办理进度。 Received as ${id}; look it up by this id.`;
