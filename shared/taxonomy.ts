import { z } from 'zod';
import { Id } from './schema/common';
import { Tier } from './schema/entities';

/**
 * The event taxonomy is data: a district edits its own file (validated with `Taxonomy`) and the hub
 * loads it at start; nothing in code branches on a category id.
 */
export const Category = z
  .object({
    id: Id,
    name: z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict(),
    /** a sub-item names its class */
    parentId: Id.optional(),
    defaultTier: Tier,
    /** hours to handle once accepted; for `general` events the deadline is the end of that day instead */
    deadlineHours: z.number().positive().max(24 * 90),
    /** the department usually called in (网格吹哨、部门报到) */
    departmentCode: z.string().max(40).optional(),
  })
  .strict();
export type Category = z.infer<typeof Category>;

export const Taxonomy = z
  .object({ version: z.number().int().min(1), categories: z.array(Category).min(1) })
  .strict()
  .superRefine((t, ctx) => {
    const ids = new Set<string>();
    t.categories.forEach((c, i) => {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'id'], message: `duplicate category id ${c.id}` });
      ids.add(c.id);
    });
    t.categories.forEach((c, i) => {
      if (c.parentId !== undefined && !ids.has(c.parentId))
        ctx.addIssue({ code: 'custom', path: ['categories', i, 'parentId'], message: `unknown parent ${c.parentId}` });
    });
  });
export type Taxonomy = z.infer<typeof Taxonomy>;

const c = (
  id: string,
  zh: string,
  en: string,
  defaultTier: Category['defaultTier'],
  deadlineHours: number,
  departmentCode?: string,
): Category => ({ id, name: { zh, en }, defaultTier, deadlineHours, ...(departmentCode ? { departmentCode } : {}) });

/** DOMAIN.md's categories, with the tier and deadline a Tongzhou-style district starts from. */
export const DEFAULT_TAXONOMY: Taxonomy = {
  version: 1,
  categories: [
    c('illegal_construction', '违法搭建', 'Illegal construction', 'escalated', 72, 'enforcement'),
    c('municipal_facilities', '市政设施', 'Municipal facilities', 'general', 24, 'housing'),
    c('hazardous_chemicals', '危化品', 'Hazardous chemicals', 'special', 4, 'emergency'),
    c('fire_safety', '消防安全', 'Fire safety', 'special', 4, 'fire'),
    c('work_safety', '安全生产', 'Work safety', 'escalated', 24, 'emergency'),
    c('food_safety', '食品安全', 'Food safety', 'escalated', 24, 'market'),
    c('environment', '生态环保', 'Environment', 'general', 24, 'ecology'),
    c('straw_burning', '秸秆禁烧', 'Straw burning', 'general', 2, 'ecology'),
    c('group_rental', '群租房', 'Group rentals', 'escalated', 72, 'police'),
    c('fireworks', '烟花爆竹存放', 'Fireworks storage', 'special', 4, 'emergency'),
    c('epidemic', '疫情防控', 'Epidemic control', 'special', 12, 'health'),
    c('dispute', '矛盾纠纷', 'Neighbour disputes', 'general', 24, 'justice'),
    c('public_order', '治安', 'Public order', 'escalated', 12, 'police'),
    c('special_groups', '特殊人群', 'Special groups', 'general', 24, 'civil_affairs'),
    c('livelihood', '民生服务', 'Livelihood services', 'general', 72, 'civil_affairs'),
    c('missing_person', '人员走失', 'Missing persons', 'special', 2, 'police'),
    c('sanitation', '环境卫生', 'Sanitation', 'general', 24, 'sanitation'),
  ],
};

export function categoryById(t: Taxonomy, id: string): Category | undefined {
  return t.categories.find((x) => x.id === id);
}
