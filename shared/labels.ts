/**
 * The words for the closed loop's states, tiers and sources, in both languages: the console's
 * i18n and the hub's exports (ledgers, workbooks) show the same ones.
 *
 * Pure: no Node, DOM or Electron imports.
 */
import type { EventState, Source, Tier } from './schema/entities';
import type { EndedBy } from './stats';

export interface Label {
  zh: string;
  en: string;
}

export const STATE_LABELS: Record<EventState, Label> = {
  reported: { zh: '已上报', en: 'Reported' },
  accepted: { zh: '已立案', en: 'Accepted' },
  rejected: { zh: '不予受理', en: 'Rejected' },
  dispatched: { zh: '已派遣', en: 'Dispatched' },
  acknowledged: { zh: '已签收', en: 'Acknowledged' },
  on_site: { zh: '已到场', en: 'On site' },
  feedback: { zh: '已反馈', en: 'Feedback' },
  returned: { zh: '已退回', en: 'Returned' },
  reviewed: { zh: '已审核', en: 'Reviewed' },
  escalated: { zh: '已提级', en: 'Escalated' },
  closed: { zh: '已结案', en: 'Closed' },
  evaluated: { zh: '已评价', en: 'Evaluated' },
  merged: { zh: '已合并', en: 'Merged' },
};

export const TIER_LABELS: Record<Tier, Label> = {
  general: { zh: '一般', en: 'General' },
  escalated: { zh: '提级', en: 'Escalated' },
  special: { zh: '特殊', en: 'Special' },
};

export const SOURCE_LABELS: Record<Source, Label> = {
  field: { zh: '现场', en: 'Field' },
  hotline: { zh: '12345', en: '12345' },
  camera: { zh: '视频', en: 'Camera' },
  public: { zh: '群众', en: 'Public' },
  phone: { zh: '电话', en: 'Phone' },
  inspection: { zh: '巡查', en: 'Inspection' },
};

export const ENDED_BY_LABELS: Record<EndedBy, Label> = {
  grid: { zh: '网格内办结', en: 'Settled in the grid' },
  town: { zh: '镇街办结', en: 'By the town' },
  departments: { zh: '部门办结', en: 'By departments' },
  enforcement: { zh: '执法办结', en: 'By law enforcement' },
};
