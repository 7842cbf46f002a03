/**
 * The words simulated people write: report descriptions by category, feedback notes, the 12345
 * hotline's order types and what callers say. Data only.
 */

export const DESCRIPTIONS: Readonly<Record<string, readonly string[]>> = {
  sanitation: ['路边垃圾堆放未及时清运', '垃圾桶满溢，周边有异味', '河道岸边有生活垃圾漂浮', '小区绿化带内有建筑垃圾'],
  municipal_facilities: ['雨水井盖破损，有行人绊倒风险', '路灯不亮，夜间出行不便', '人行道地砖松动翘起', '道路护栏被撞变形'],
  dispute: ['邻里因楼道堆物发生争吵', '两户村民因宅基地边界起纠纷', '租户与房东因押金发生争执'],
  livelihood: ['独居老人申请办理敬老卡', '居民咨询医保缴费事宜', '残疾人申请补贴需上门核实'],
  environment: ['小作坊排放刺鼻气味', '夜间施工噪音扰民', '河道水面发黑有异味'],
  illegal_construction: ['楼顶新建彩钢板房', '院内私自加盖一层', '沿街违章搭建雨棚'],
  special_groups: ['社区矫正人员近期未按时报到', '精神障碍患者家属反映情绪异常', '困境儿童家庭需走访'],
  public_order: ['夜间有人聚集酗酒滋事', '电动车集中被盗', '可疑人员在小区内徘徊'],
  fire_safety: ['楼道内电动车违规充电', '消防通道被车辆堵塞', '沿街店铺灭火器过期'],
  straw_burning: ['田间发现焚烧秸秆', '田头堆放秸秆有焚烧迹象'],
  group_rental: ['出租屋隔断成多间群租', '一套房内居住十余人'],
  work_safety: ['小工厂员工未佩戴防护用品', '工地脚手架搭设不规范'],
  food_safety: ['早餐摊无健康证经营', '小饭店后厨卫生脏乱'],
  epidemic: ['外地返乡人员需登记健康情况', '发现多名发热人员'],
  hazardous_chemicals: ['空厂房内卸下多桶化学品', '加油站附近有人违规储存汽油'],
  fireworks: ['民房内存放大量烟花爆竹'],
  missing_person: ['老人外出未归，家属求助寻找'],
};

export const FEEDBACK_NOTES: readonly string[] = [
  '已到现场处置完毕，附现场照片',
  '已联系相关单位处理，现场已恢复',
  '已当面调解，双方达成一致',
  '已清理完毕，后续持续巡查',
  '已上门核实并办结',
];

export const RETURN_NOTES: readonly string[] = ['照片不清晰，请补拍现场照片', '处置不彻底，请再次到场核实', '反馈内容过于简单，请补充处置过程'];
export const ESCALATE_NOTES: readonly string[] = ['网格内无法解决，需职能部门协同处置', '涉及多个部门，请求提级处理', '情况复杂，需部门联合执法'];
export const REVIEW_NOTES: readonly string[] = ['审核通过', '现场照片清晰，处置到位', '视频回访确认已处置'];
export const CLOSE_NOTES: readonly string[] = ['结案', '处置完毕，予以结案'];
export const ARRIVE_NOTES: readonly string[] = ['已到达现场', '已到场，正在核实'];

/** 12345 order types (the hotline's own words, mapped to categories by shared/hotline.ts), with weights and what callers say. */
export const HOTLINE_TYPES: readonly { type: string; weight: number; contents: readonly string[]; deadlineH: number }[] = [
  { type: '市政设施-井盖', weight: 3, contents: ['门口井盖破损，有人差点摔倒', '窨井盖缺失很危险'], deadlineH: 48 },
  { type: '市政设施-路灯', weight: 2, contents: ['路灯坏了好几天没人修'], deadlineH: 72 },
  { type: '环境卫生-垃圾', weight: 4, contents: ['垃圾几天没人清运，臭气熏天', '楼下堆满装修垃圾'], deadlineH: 48 },
  { type: '噪音扰民', weight: 3, contents: ['晚上施工噪音太大无法休息', '广场舞音响声音太大'], deadlineH: 48 },
  { type: '邻里纠纷', weight: 2, contents: ['楼上漏水邻居不处理', '邻居占用公共楼道'], deadlineH: 72 },
  { type: '违建举报', weight: 2, contents: ['邻居在屋顶私自搭建', '小区内有人围占绿地建房'], deadlineH: 120 },
  { type: '民生服务咨询', weight: 3, contents: ['想咨询老年证怎么办理', '低保申请进度咨询'], deadlineH: 120 },
  { type: '治安隐患', weight: 1, contents: ['小区门口经常有人聚集闹事'], deadlineH: 48 },
  { type: '群租房', weight: 1, contents: ['隔壁房子住了很多人，进出杂乱'], deadlineH: 72 },
  { type: '食品安全', weight: 1, contents: ['买到过期食品，商家不处理'], deadlineH: 72 },
];

export const CALLER_SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'.split('');
export const ROADS: readonly string[] = ['人民路', '建设路', '育才路', '通启路', '金沙大道', '新金路', '世纪大道', '兴东路'];

export const pickOf = <T>(xs: readonly T[], rng: () => number): T => xs[Math.floor(rng() * xs.length)]!;
