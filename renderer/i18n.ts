/**
 * A tiny dictionary: zh-CN first (the default), English second. `t(key)` looks up the current
 * language; the choice is kept in localStorage. Keys missing from English fail the typecheck.
 */
import { useSyncExternalStore } from 'react';

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const zh = {
  'app.title': '网格化服务管理指挥中心',
  'app.subtitle': '区域治理现代化指挥中心 · 调度坐席',
  'app.wall': '大屏',
  'lang.toggle': 'English',
  'lang.toggleTitle': 'Switch to English',

  'login.heading': '坐席登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.usernamePlaceholder': 'operator',
  'login.passwordPlaceholder': '请输入密码',
  'login.submit': '登录',
  'login.submitting': '正在登录…',
  'login.hub': '平台',
  'login.noHub': '未取得平台地址',
  'login.failed': '登录失败',
  'login.unreachable': '无法连接平台',
  'login.badReply': '平台回复的格式不正确',
  'login.logout': '退出',

  'link.online': '在线',
  'link.reconnecting': '重连中',
  'link.offline': '离线',
  'link.head': '序号',
  'link.received': '已收变更',
  'link.invalid': '无效消息',

  'events.heading': '实时事件',
  'events.hint': '最近 200 条事件变更，新的在前',
  'events.empty': '尚无事件变更',
  'events.seq': '序号',
  'events.id': '事件编号',
  'events.category': '类别',
  'events.state': '状态',
  'events.tier': '级别',
  'events.town': '镇(街道)',
  'events.reportedAt': '上报时间',

  'state.reported': '已上报',
  'state.accepted': '已立案',
  'state.rejected': '不予受理',
  'state.dispatched': '已派遣',
  'state.acknowledged': '已签收',
  'state.on_site': '已到场',
  'state.feedback': '已反馈',
  'state.returned': '已退回',
  'state.reviewed': '已审核',
  'state.escalated': '已提级',
  'state.closed': '已结案',
  'state.evaluated': '已评价',
  'state.merged': '已合并',

  'tier.general': '一般',
  'tier.escalated': '提级',
  'tier.special': '特殊',

  'role.operator': '调度员',
  'role.duty_chief': '值班长',
  'role.subcenter_desk': '分中心坐席',
  'role.chief_leader': '总网格长',
  'role.leader': '网格长',
  'role.administrator': '网格管理员',
  'role.informant': '网格信息员',
  'role.dedicated_member': '专属网格员',
  'role.legal': '三官一律',
  'role.other': '人员',

  'cmd.report': '上报',
  'cmd.accept': '立案',
  'cmd.reject': '不予受理',
  'cmd.dispatch': '派遣',
  'cmd.acknowledge': '签收',
  'cmd.arrive': '到场',
  'cmd.feedback': '反馈',
  'cmd.review': '审核',
  'cmd.return': '退回',
  'cmd.close': '结案',
  'cmd.evaluate': '评价',
  'cmd.escalate': '提级',
  'cmd.note': '备注',
  'cmd.supervise': '督办',
  'cmd.split': '拆分',

  'field.title': '网格员移动端',
  'field.subtitle': '网格化服务管理',
  'field.loading': '正在加载…',
  'field.logout': '退出',
  'field.token.heading': '设备登录',
  'field.token.label': '设备令牌',
  'field.token.placeholder': 'dev_…',
  'field.token.submit': '登录',
  'field.token.hint': '令牌由指挥中心发放，在本机输入一次即可。',
  'field.token.rejected': '令牌无效或设备已停用',
  'field.notField': '此页面供网格员使用；坐席请使用指挥台。',
  'field.duty.on': '在岗 · 共享位置',
  'field.duty.off': '离岗',
  'field.duty.sent': '位置已上报',
  'field.duty.failed': '位置上报失败',
  'field.tab.tasks': '任务',
  'field.tab.report': '上报',
  'field.tab.mine': '我的上报',
  'field.tasks.empty': '暂无派给您的任务',
  'field.tasks.new': '新任务',
  'field.task.deadline': '期限',
  'field.task.attachments': '附件',
  'field.task.address': '地址',
  'field.act.cancel': '取消',
  'field.act.sending': '正在提交…',
  'field.act.done': '已提交',
  'field.feedback.note': '处置情况',
  'field.feedback.placeholder': '说明处置结果……',
  'field.feedback.submit': '提交反馈',
  'field.photo.add': '拍照',
  'field.photo.remove': '移除',
  'field.voice.record': '录音',
  'field.voice.stop': '停止录音',
  'field.voice.remove': '删除录音',
  'field.voice.unsupported': '此浏览器不支持录音',
  'field.voice.denied': '未获得麦克风权限',
  'field.report.category': '事件类别',
  'field.report.choose': '请选择类别',
  'field.report.description': '事件描述',
  'field.report.descriptionPlaceholder': '时间、地点、情况……',
  'field.report.position': '位置',
  'field.report.useGps': '使用当前定位',
  'field.report.tapMap': '或在地图上点选网格内的位置',
  'field.report.outside': '请点选您网格内的位置',
  'field.report.noPosition': '请先定位或在地图上点选位置',
  'field.report.noCategory': '请选择事件类别',
  'field.report.noDescription': '请填写事件描述',
  'field.report.submit': '上报事件',
  'field.report.sent': '已上报，事件编号',
  'field.report.merged': '已并入事件',
  'field.report.mergedHint': '附近已有同类事件，您的上报已并入该事件。',
  'field.mine.empty': '近 7 天没有上报',
  'field.geo.failed': '定位失败，请允许定位后重试',
  'field.geo.locating': '正在定位…',
  'field.geo.inGrid': '网格内',
  'field.geo.outGrid': '网格外',
  'field.map.label': '我的网格',
  'field.error.network': '网络不通，请稍后重试（已填内容会保留）',
  'field.error.upload': '附件上传失败',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  'app.title': 'Grid Service Management Command Centre',
  'app.subtitle': 'District command centre · dispatch desk',
  'app.wall': 'Wall',
  'lang.toggle': '中文',
  'lang.toggleTitle': '切换到中文',

  'login.heading': 'Operator sign-in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.usernamePlaceholder': 'operator',
  'login.passwordPlaceholder': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.hub': 'Hub',
  'login.noHub': 'hub address unknown',
  'login.failed': 'Sign-in failed',
  'login.unreachable': 'Cannot reach the hub',
  'login.badReply': 'The hub replied in an unexpected format',
  'login.logout': 'Sign out',

  'link.online': 'Online',
  'link.reconnecting': 'Reconnecting',
  'link.offline': 'Offline',
  'link.head': 'Head',
  'link.received': 'Changes',
  'link.invalid': 'Invalid',

  'events.heading': 'Live events',
  'events.hint': 'Latest 200 event changes, newest first',
  'events.empty': 'No event changes yet',
  'events.seq': 'Seq',
  'events.id': 'Event',
  'events.category': 'Category',
  'events.state': 'State',
  'events.tier': 'Tier',
  'events.town': 'Town / street',
  'events.reportedAt': 'Reported',

  'state.reported': 'Reported',
  'state.accepted': 'Accepted',
  'state.rejected': 'Rejected',
  'state.dispatched': 'Dispatched',
  'state.acknowledged': 'Acknowledged',
  'state.on_site': 'On site',
  'state.feedback': 'Feedback',
  'state.returned': 'Returned',
  'state.reviewed': 'Reviewed',
  'state.escalated': 'Escalated',
  'state.closed': 'Closed',
  'state.evaluated': 'Evaluated',
  'state.merged': 'Merged',

  'tier.general': 'General',
  'tier.escalated': 'Escalated',
  'tier.special': 'Special',

  'role.operator': 'Operator',
  'role.duty_chief': 'Duty chief',
  'role.subcenter_desk': 'Sub-centre desk',
  'role.chief_leader': 'Chief grid leader',
  'role.leader': 'Grid leader',
  'role.administrator': 'Grid administrator',
  'role.informant': 'Grid informant',
  'role.dedicated_member': 'Dedicated-grid member',
  'role.legal': 'Legal officer',
  'role.other': 'Staff',

  'cmd.report': 'Report',
  'cmd.accept': 'Accept',
  'cmd.reject': 'Reject',
  'cmd.dispatch': 'Dispatch',
  'cmd.acknowledge': 'Acknowledge',
  'cmd.arrive': 'Arrived',
  'cmd.feedback': 'Feed back',
  'cmd.review': 'Review',
  'cmd.return': 'Return',
  'cmd.close': 'Close',
  'cmd.evaluate': 'Evaluate',
  'cmd.escalate': 'Escalate',
  'cmd.note': 'Note',
  'cmd.supervise': 'Supervise',
  'cmd.split': 'Split',

  'field.title': 'Grid field app',
  'field.subtitle': 'Grid service management',
  'field.loading': 'Loading…',
  'field.logout': 'Sign out',
  'field.token.heading': 'Device sign-in',
  'field.token.label': 'Device token',
  'field.token.placeholder': 'dev_…',
  'field.token.submit': 'Sign in',
  'field.token.hint': 'The command centre issues the token; enter it once on this phone.',
  'field.token.rejected': 'The token is unknown or the device was revoked',
  'field.notField': 'This page is for grid staff; desks use the console.',
  'field.duty.on': 'On duty · sharing position',
  'field.duty.off': 'Off duty',
  'field.duty.sent': 'Position sent',
  'field.duty.failed': 'Position not sent',
  'field.tab.tasks': 'Tasks',
  'field.tab.report': 'Report',
  'field.tab.mine': 'My reports',
  'field.tasks.empty': 'No assignments for you',
  'field.tasks.new': 'New assignment',
  'field.task.deadline': 'Due',
  'field.task.attachments': 'Attachments',
  'field.task.address': 'Address',
  'field.act.cancel': 'Cancel',
  'field.act.sending': 'Sending…',
  'field.act.done': 'Sent',
  'field.feedback.note': 'What was done',
  'field.feedback.placeholder': 'Describe how it was handled…',
  'field.feedback.submit': 'Send feedback',
  'field.photo.add': 'Take photo',
  'field.photo.remove': 'Remove',
  'field.voice.record': 'Record voice',
  'field.voice.stop': 'Stop recording',
  'field.voice.remove': 'Delete recording',
  'field.voice.unsupported': 'This browser cannot record audio',
  'field.voice.denied': 'No microphone permission',
  'field.report.category': 'Category',
  'field.report.choose': 'Choose a category',
  'field.report.description': 'Description',
  'field.report.descriptionPlaceholder': 'When, where, what…',
  'field.report.position': 'Position',
  'field.report.useGps': 'Use my location',
  'field.report.tapMap': 'or tap a spot inside your grid on the map',
  'field.report.outside': 'Tap a spot inside your grid',
  'field.report.noPosition': 'Locate yourself or tap the map first',
  'field.report.noCategory': 'Choose a category',
  'field.report.noDescription': 'Describe the event',
  'field.report.submit': 'Report event',
  'field.report.sent': 'Reported: event',
  'field.report.merged': 'Joined event',
  'field.report.mergedHint': 'A similar open event is nearby; your report joined it.',
  'field.mine.empty': 'No reports in the last 7 days',
  'field.geo.failed': 'Could not get a position; allow location and try again',
  'field.geo.locating': 'Locating…',
  'field.geo.inGrid': 'inside grid',
  'field.geo.outGrid': 'outside grid',
  'field.map.label': 'My grids',
  'field.error.network': 'No connection; try again (your input is kept)',
  'field.error.upload': 'Upload failed',
};

const DICTS: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zh, en };
const STORAGE_KEY = 'gridConsole.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && (LANGS as readonly string[]).includes(saved)) return saved as Lang;
  } catch {
    // storage unavailable: fall back to the default
  }
  return 'zh-CN';
}

let current: Lang = initialLang();
const listeners = new Set<() => void>();

export const getLang = (): Lang => current;

export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not persisted; still switched for this page
  }
  document.documentElement.lang = lang;
  for (const l of listeners) l();
}

export const toggleLang = (): void => setLang(current === 'zh-CN' ? 'en' : 'zh-CN');

export function t(key: MessageKey): string {
  return DICTS[current][key];
}

/** Looks up a key built at run time (e.g. `state.${s}`), falling back to the raw value. */
export function tMaybe(key: string, fallback: string): string {
  return (DICTS[current] as Record<string, string>)[key] ?? fallback;
}

/** Re-renders the calling component when the language changes; returns the current language. */
export function useLang(): Lang {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    getLang,
  );
}

if (typeof document !== 'undefined') document.documentElement.lang = current;
