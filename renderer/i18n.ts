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

  'tier.general': '一般',
  'tier.escalated': '提级',
  'tier.special': '特殊',

  'role.operator': '调度员',
  'role.duty_chief': '值班长',
  'role.subcenter_desk': '分中心坐席',
  'role.other': '人员',
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

  'tier.general': 'General',
  'tier.escalated': 'Escalated',
  'tier.special': 'Special',

  'role.operator': 'Operator',
  'role.duty_chief': 'Duty chief',
  'role.subcenter_desk': 'Sub-centre desk',
  'role.other': 'Staff',
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
