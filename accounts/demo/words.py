"""The word lists of the demo data (and the weights drawn with them): places, industries,
brands, names, roles, attitudes, strategies, feedback. Data only; `generator` draws from them."""

from __future__ import annotations

import numpy as np

# region -> places (Chinese, English) used in company names; the place decides the region.
REGIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "华东": (
        "East China",
        (
            ("华东", "Huadong"),
            ("上海", "Shanghai"),
            ("苏州", "Suzhou"),
            ("杭州", "Hangzhou"),
            ("宁波", "Ningbo"),
            ("南京", "Nanjing"),
            ("无锡", "Wuxi"),
            ("常州", "Changzhou"),
            ("青岛", "Qingdao"),
            ("济南", "Jinan"),
            ("合肥", "Hefei"),
            ("厦门", "Xiamen"),
            ("浙江", "Zhejiang"),
            ("江苏", "Jiangsu"),
            ("温州", "Wenzhou"),
        ),
    ),
    "华南": (
        "South China",
        (
            ("华南", "Huanan"),
            ("广州", "Guangzhou"),
            ("深圳", "Shenzhen"),
            ("东莞", "Dongguan"),
            ("佛山", "Foshan"),
            ("珠海", "Zhuhai"),
            ("中山", "Zhongshan"),
            ("南宁", "Nanning"),
            ("广东", "Guangdong"),
            ("福州", "Fuzhou"),
        ),
    ),
    "华北": (
        "North China",
        (
            ("华北", "Huabei"),
            ("北京", "Beijing"),
            ("天津", "Tianjin"),
            ("石家庄", "Shijiazhuang"),
            ("太原", "Taiyuan"),
            ("唐山", "Tangshan"),
            ("保定", "Baoding"),
            ("河北", "Hebei"),
        ),
    ),
    "华中": (
        "Central China",
        (
            ("华中", "Huazhong"),
            ("武汉", "Wuhan"),
            ("长沙", "Changsha"),
            ("郑州", "Zhengzhou"),
            ("南昌", "Nanchang"),
            ("洛阳", "Luoyang"),
            ("株洲", "Zhuzhou"),
        ),
    ),
    "西南": (
        "Southwest China",
        (
            ("西南", "Xinan"),
            ("成都", "Chengdu"),
            ("重庆", "Chongqing"),
            ("昆明", "Kunming"),
            ("贵阳", "Guiyang"),
            ("绵阳", "Mianyang"),
        ),
    ),
    "西北": (
        "Northwest China",
        (
            ("西北", "Xibei"),
            ("西安", "Xi'an"),
            ("兰州", "Lanzhou"),
            ("银川", "Yinchuan"),
            ("宝鸡", "Baoji"),
        ),
    ),
    "东北": (
        "Northeast China",
        (
            ("东北", "Dongbei"),
            ("沈阳", "Shenyang"),
            ("大连", "Dalian"),
            ("长春", "Changchun"),
            ("哈尔滨", "Harbin"),
        ),
    ),
}

# industry -> (English, products (Chinese, English) used in names, main products text)
INDUSTRIES: dict[str, tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    "机械制造": (
        "Machinery",
        (
            ("精密机械", "Precision Machinery"),
            ("重工", "Heavy Industries"),
            ("机床", "Machine Tool"),
            ("液压设备", "Hydraulic Equipment"),
            ("自动化设备", "Automation Equipment"),
        ),
        ("数控机床", "液压泵", "减速机", "工业机器人", "输送设备", "精密轴承"),
    ),
    "电子电器": (
        "Electronics",
        (
            ("电子", "Electronics"),
            ("电气", "Electric"),
            ("光电", "Optoelectronics"),
            ("半导体", "Semiconductor"),
            ("智能科技", "Smart Technology"),
        ),
        ("印刷电路板", "开关电源", "传感器", "LED模组", "变频器", "连接器"),
    ),
    "汽车零部件": (
        "Automotive",
        (
            ("汽车零部件", "Auto Parts"),
            ("汽车配件", "Automotive Components"),
            ("车桥", "Axle"),
            ("动力系统", "Powertrain"),
        ),
        ("制动系统", "转向器", "座椅总成", "车身冲压件", "线束", "变速箱壳体"),
    ),
    "化工": (
        "Chemicals",
        (
            ("化工", "Chemical"),
            ("新材料", "New Materials"),
            ("涂料", "Coatings"),
            ("精细化工", "Fine Chemicals"),
        ),
        ("工业涂料", "树脂", "助剂", "工程塑料", "胶粘剂", "特种橡胶"),
    ),
    "医药": (
        "Pharmaceuticals",
        (
            ("医药", "Pharmaceutical"),
            ("生物科技", "Biotech"),
            ("医疗器械", "Medical Devices"),
        ),
        ("原料药", "仿制药", "诊断试剂", "医用耗材", "体外诊断设备"),
    ),
    "食品饮料": (
        "Food & Beverage",
        (
            ("食品", "Foods"),
            ("饮料", "Beverage"),
            ("乳业", "Dairy"),
        ),
        ("乳制品", "休闲食品", "调味品", "瓶装饮料", "速冻食品"),
    ),
    "新能源": (
        "New Energy",
        (
            ("新能源", "New Energy"),
            ("光伏", "Photovoltaic"),
            ("储能科技", "Energy Storage Technology"),
            ("电池", "Battery"),
        ),
        ("光伏组件", "逆变器", "锂电池", "储能系统", "充电桩"),
    ),
    "物流": (
        "Logistics",
        (
            ("物流", "Logistics"),
            ("供应链管理", "Supply Chain Management"),
            ("仓储", "Warehousing"),
        ),
        ("仓储服务", "冷链运输", "干线物流", "供应链金融"),
    ),
    "建材": (
        "Building Materials",
        (
            ("建材", "Building Materials"),
            ("玻璃", "Glass"),
            ("管业", "Pipe"),
        ),
        ("建筑玻璃", "PVC管材", "防水材料", "保温材料", "瓷砖"),
    ),
}

BRANDS: tuple[tuple[str, str], ...] = (
    ("华信", "Huaxin"),
    ("恒通", "Hengtong"),
    ("宏达", "Hongda"),
    ("鑫源", "Xinyuan"),
    ("远航", "Yuanhang"),
    ("瑞丰", "Ruifeng"),
    ("金鼎", "Jinding"),
    ("长盛", "Changsheng"),
    ("永兴", "Yongxing"),
    ("天宇", "Tianyu"),
    ("嘉禾", "Jiahe"),
    ("联创", "Lianchuang"),
    ("中科", "Zhongke"),
    ("博远", "Boyuan"),
    ("凯达", "Kaida"),
    ("信达", "Xinda"),
    ("华瑞", "Huarui"),
    ("盛世", "Shengshi"),
    ("东方", "Dongfang"),
    ("新锐", "Xinrui"),
    ("海润", "Hairun"),
    ("德胜", "Desheng"),
    ("启明", "Qiming"),
    ("卓越", "Zhuoyue"),
    ("通达", "Tongda"),
    ("安泰", "Antai"),
    ("星河", "Xinghe"),
    ("宝德", "Baode"),
    ("精诚", "Jingcheng"),
    ("同创", "Tongchuang"),
    ("汇通", "Huitong"),
    ("鼎盛", "Dingsheng"),
    ("华泰", "Huatai"),
    ("金桥", "Jinqiao"),
    ("环宇", "Huanyu"),
    ("振华", "Zhenhua"),
    ("兴业", "Xingye"),
    ("万通", "Wantong"),
    ("荣盛", "Rongsheng"),
    ("冠华", "Guanhua"),
    ("君泰", "Juntai"),
    ("隆基", "Longji"),
    ("佳和", "Jiahe"),
    ("明德", "Mingde"),
    ("富华", "Fuhua"),
    ("新世纪", "Xinshiji"),
    ("正源", "Zhengyuan"),
    ("昌盛", "Changsheng"),
    ("华科", "Huake"),
    ("泰和", "Taihe"),
)

BRANCH_WORDS: tuple[tuple[str, str], ...] = (("分公司", "Branch"), ("工厂", "Plant"), ("事业部", "Division"))

SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("林", "Lin"),
    ("高", "Gao"),
    ("罗", "Luo"),
    ("郑", "Zheng"),
    ("梁", "Liang"),
    ("谢", "Xie"),
    ("宋", "Song"),
    ("唐", "Tang"),
    ("韩", "Han"),
    ("冯", "Feng"),
    ("邓", "Deng"),
    ("曹", "Cao"),
    ("彭", "Peng"),
    ("曾", "Zeng"),
    ("肖", "Xiao"),
    ("田", "Tian"),
    ("董", "Dong"),
    ("袁", "Yuan"),
    ("潘", "Pan"),
    ("蒋", "Jiang"),
    ("蔡", "Cai"),
    ("杜", "Du"),
    ("叶", "Ye"),
    ("程", "Cheng"),
    ("魏", "Wei"),
    ("苏", "Su"),
    ("丁", "Ding"),
    ("沈", "Shen"),
    ("姚", "Yao"),
)

GIVEN: tuple[tuple[str, str], ...] = (
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("华", "hua"),
    ("建", "jian"),
    ("国", "guo"),
    ("文", "wen"),
    ("辉", "hui"),
    ("玲", "ling"),
    ("婷", "ting"),
    ("雪", "xue"),
    ("鹏", "peng"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("晨", "chen"),
    ("欣", "xin"),
    ("凯", "kai"),
    ("俊", "jun"),
    ("峰", "feng"),
    ("琳", "lin"),
    ("倩", "qian"),
    ("海", "hai"),
    ("斌", "bin"),
    ("波", "bo"),
    ("志", "zhi"),
    ("红", "hong"),
    ("亮", "liang"),
    ("晓", "xiao"),
    ("思", "si"),
    ("嘉", "jia"),
)

BUYING_ROLES: tuple[str, ...] = (
    "decision_maker",
    "user",
    "advisor",
    "gatekeeper",
    "external_influencer",
    "supporter",
    "blocker",
)
# For contacts other than the decision maker (each account has exactly one decision maker first).
OTHER_ROLE_WEIGHTS = np.array([0.25, 0.15, 0.20, 0.08, 0.20, 0.12])

ROLE_TITLES: dict[str, tuple[tuple[str, str], ...]] = {
    "decision_maker": (
        ("总经理", "总经办"),
        ("副总经理", "总经办"),
        ("董事长", "董事会"),
        ("采购总监", "采购部"),
        ("首席运营官", "总经办"),
    ),
    "user": (
        ("生产经理", "生产部"),
        ("车间主任", "生产部"),
        ("设备工程师", "设备部"),
        ("质量经理", "质量部"),
        ("项目经理", "项目部"),
    ),
    "advisor": (("技术总监", "技术部"), ("研发经理", "研发中心"), ("总工程师", "技术部"), ("IT经理", "信息部")),
    "gatekeeper": (("采购经理", "采购部"), ("采购专员", "采购部"), ("总经理助理", "总经办"), ("财务经理", "财务部")),
    "external_influencer": (
        ("咨询顾问", "外部咨询公司"),
        ("设计院工程师", "设计院"),
        ("行业协会秘书长", "行业协会"),
        ("监理工程师", "监理公司"),
    ),
    "supporter": (("生产副总", "生产部"), ("工程部经理", "工程部"), ("运营经理", "运营部")),
    "blocker": (("财务总监", "财务部"), ("法务经理", "法务部"), ("质量总监", "质量部"), ("审计经理", "审计部")),
}

ATTITUDES: tuple[str, ...] = ("champion", "supportive", "neutral", "skeptical", "hostile")
ATTITUDE_WEIGHTS: dict[str, np.ndarray] = {
    "decision_maker": np.array([0.15, 0.30, 0.35, 0.15, 0.05]),
    "supporter": np.array([0.45, 0.45, 0.10, 0.0, 0.0]),
    "blocker": np.array([0.0, 0.0, 0.15, 0.50, 0.35]),
}
DEFAULT_ATTITUDE_WEIGHTS = np.array([0.08, 0.30, 0.42, 0.15, 0.05])

STRATEGIES: tuple[str, ...] = (
    "扩大产能，布局海外市场",
    "降本增效，推进精益生产",
    "数字化转型，建设智能工厂",
    "聚焦核心业务，优化产品结构",
    "加大研发投入，推出高端产品线",
    "深耕区域市场，拓展分销渠道",
    "产业链上下游整合",
    "绿色低碳转型",
)
BOTTLENECKS: tuple[str, ...] = (
    "原材料成本上涨",
    "高端人才短缺",
    "资金周转压力大",
    "下游需求波动",
    "产能不足",
    "环保合规压力",
    "核心技术依赖进口",
    "",
)

FEEDBACK_SUBJECTS: dict[str, tuple[str, ...]] = {
    "complaint": ("交货延迟", "产品质量问题", "发票信息错误", "售后响应慢", "包装破损", "价格调整未提前通知"),
    "feedback": ("希望增加操作培训", "建议优化交付流程", "询问新产品资料", "希望缩短对账周期", "建议提供在线对账"),
    "praise": ("现场服务及时", "技术支持专业", "交付准时", "方案效果超出预期"),
}
FEEDBACK_DETAILS: tuple[str, ...] = (
    "客户已通过邮件说明情况。",
    "客户在例会上提出。",
    "采购部电话反馈。",
    "由使用部门经采购转达。",
    "客户希望尽快给出答复。",
)

CREDIT_LEVELS: tuple[str, ...] = ("AAA", "AA", "A", "B", "C")
# by payer type: good, slow, bad
CREDIT_WEIGHTS = np.array([[0.20, 0.35, 0.35, 0.10, 0.0], [0.0, 0.15, 0.40, 0.35, 0.10], [0.0, 0.0, 0.20, 0.40, 0.40]])
RELATIONSHIP_TYPES: tuple[str, ...] = ("vendor", "preferred_supplier", "partner", "strategic_alliance")
LIFECYCLE_STAGES: tuple[str, ...] = (
    "breakthrough",
    "consolidation",
    "growth",
    "harvest",
    "defense",
    "hibernation",
    "pause",
)
OPERATING_STATUSES: tuple[str, ...] = ("operating", "restructuring", "suspended", "closed")
