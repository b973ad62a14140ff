package demo

// An invented company: fictional, but named and placed the way a Shenyang firm of its
// trade would be, so that a local reading the demo does not stumble over it.
type inventedCompany struct {
	en, zh    string // full legal names
	industry  string
	district  string // an English name from districts
	park      string // a parkSpecs key, "" outside the parks; when set, district is the park's
	employees int
	founded   int
	business  [2]string // line of business for descriptions, English and Chinese
}

// The invented companies, 63 of them so that with the 23 of companySpecs the alliance has
// 86, split by industry as the plan in companies_test.go says. Each has its own brand word and its
// own line of business within its industry; park firms sit in parks that the test's industryParks
// allows for their industry. Brands avoid those of well-known firms; any resemblance to a
// real company is unintended.
var inventedCompanies = []inventedCompany{
	// Equipment manufacturing: Tiexi's machine-building base, a few in the Sino-German
	// park, one in Shenbei and two outside the parks.
	{"Shenyang Hunhe Precision Bearing Co., Ltd.", "沈阳浑河精密轴承有限公司", "EQUIPMENT_MANUFACTURING", "Tiexi", "tiexi", 640, 1997,
		[2]string{"precision bearings", "精密轴承"}},
	{"Liaoning Jutai Mining Machinery Co., Ltd.", "辽宁巨泰矿山机械股份有限公司", "EQUIPMENT_MANUFACTURING", "Tiexi", "tiexi", 1850, 1988,
		[2]string{"mining and crushing machinery", "矿山破碎机械"}},
	{"Shenyang Shenshui Valve Co., Ltd.", "沈阳沈水阀门有限公司", "EQUIPMENT_MANUFACTURING", "Tiexi", "tiexi", 420, 1993,
		[2]string{"industrial valves", "工业阀门"}},
	{"Shenyang Ruichi Gear Reducer Co., Ltd.", "沈阳瑞驰减速机有限公司", "EQUIPMENT_MANUFACTURING", "Tiexi", "sinogerman", 260, 2017,
		[2]string{"gear reducers", "齿轮减速机"}},
	{"Shenyang Guoshi Hydraulic Cylinder Co., Ltd.", "沈阳郭氏液压油缸有限公司", "EQUIPMENT_MANUFACTURING", "Yuhong", "", 85, 2006,
		[2]string{"hydraulic cylinders", "液压油缸"}},
	{"Shenyang Xiangshun Foundry Co., Ltd.", "沈阳祥顺铸造有限公司", "EQUIPMENT_MANUFACTURING", "Liaozhong", "", 180, 2004,
		[2]string{"iron and steel castings", "铸铁与铸钢件"}},
	{"Liaoning Jianheng Pressure Vessel Manufacturing Co., Ltd.", "辽宁坚恒压力容器制造有限公司", "EQUIPMENT_MANUFACTURING", "Tiexi", "tiexi", 730, 1999,
		[2]string{"pressure vessels", "压力容器"}},
	{"Shenyang Jingrui Machine Tool Accessories Co., Ltd.", "沈阳精锐机床附件有限公司", "EQUIPMENT_MANUFACTURING", "Tiexi", "tiexi", 150, 2011,
		[2]string{"machine tool spindles and rotary tables", "机床主轴与数控转台"}},
	{"Shenyang Lanhai Heat Exchange Equipment Co., Ltd.", "沈阳蓝海换热设备有限公司", "EQUIPMENT_MANUFACTURING", "Shenbei", "shenbei", 95, 2013,
		[2]string{"plate heat exchangers", "板式换热器"}},
	{"Shenyang Zhuoyue Pump Industry Co., Ltd.", "沈阳卓越泵业股份有限公司", "EQUIPMENT_MANUFACTURING", "Tiexi", "sinogerman", 1150, 1995,
		[2]string{"industrial centrifugal pumps", "工业离心泵"}},

	// Automotive: suppliers around the vehicle plants of Shenbei, Tiexi and Dadong.
	{"Shenyang Puhe Automotive Seating Co., Ltd.", "沈阳蒲河汽车座椅有限公司", "AUTOMOTIVE", "Shenbei", "shenbei", 1380, 2008,
		[2]string{"car seats", "汽车座椅"}},
	{"Shenyang Xinlian Automotive Wire Harness Co., Ltd.", "沈阳信联汽车线束有限公司", "AUTOMOTIVE", "Shenbei", "shenbei", 2600, 2011,
		[2]string{"automotive wire harnesses", "汽车线束"}},
	{"Shenyang Rongfa Automotive Die Co., Ltd.", "沈阳荣发汽车模具有限公司", "AUTOMOTIVE", "Tiexi", "tiexi", 310, 2002,
		[2]string{"stamping dies for car bodies", "汽车覆盖件冲压模具"}},
	{"Liaoning Anxin Automotive Brake Systems Co., Ltd.", "辽宁安信汽车制动系统有限公司", "AUTOMOTIVE", "Shenbei", "shenbei", 540, 2009,
		[2]string{"brake systems", "汽车制动系统"}},
	{"Shenyang Yaoneng Battery Systems Technology Co., Ltd.", "沈阳耀能电池系统科技有限公司", "AUTOMOTIVE", "Tiexi", "sinogerman", 460, 2020,
		[2]string{"battery packs for new energy vehicles", "新能源汽车动力电池包"}},
	{"Shenyang Jiacai Automotive Coating Engineering Co., Ltd.", "沈阳佳彩汽车涂装工程有限公司", "AUTOMOTIVE", "Tiexi", "sinogerman", 120, 2018,
		[2]string{"paint shop services for car plants", "整车厂涂装车间服务"}},
	{"Shenyang Guangtai Auto Lamp Co., Ltd.", "沈阳光泰车灯有限公司", "AUTOMOTIVE", "Shenbei", "shenbei", 230, 2014,
		[2]string{"automotive lamps", "汽车车灯"}},
	{"Liaoning Jiaye Automotive Seals Co., Ltd.", "辽宁嘉业汽车密封件有限公司", "AUTOMOTIVE", "Sujiatun", "", 190, 2005,
		[2]string{"rubber seals and weatherstrips", "汽车橡胶密封条"}},
	{"Shenyang Dongchi Axle Co., Ltd.", "沈阳东驰车桥有限公司", "AUTOMOTIVE", "Dadong", "", 880, 1992,
		[2]string{"axles for light trucks and vans", "轻型货车与客车车桥"}},
	{"Shenyang Bohan Welding Fixture Technology Co., Ltd.", "沈阳博瀚焊装夹具科技有限公司", "AUTOMOTIVE", "Tiexi", "sinogerman", 65, 2019,
		[2]string{"body-in-white welding fixtures", "白车身焊装夹具"}},

	// Aerospace: mostly in the aviation economic zone; tooling near the airframe plant in
	// Huanggu, general aviation in Faku.
	{"Shenyang Yunlu Aviation Structural Parts Co., Ltd.", "沈阳云麓航空结构件有限公司", "AEROSPACE", "Hunnan", "aviation", 720, 2012,
		[2]string{"machined airframe structural parts", "飞机结构件数控加工"}},
	{"Liaoning Chiyu Aero-Engine Blade Co., Ltd.", "辽宁驰宇航空发动机叶片有限公司", "AEROSPACE", "Hunnan", "aviation", 1350, 2006,
		[2]string{"aero-engine blades", "航空发动机叶片"}},
	{"Shenyang Qianxiang Aviation Tooling Co., Ltd.", "沈阳乾翔航空工装有限公司", "AEROSPACE", "Huanggu", "", 140, 2003,
		[2]string{"aircraft assembly jigs and tooling", "飞机装配工装"}},
	{"Shenyang Ruiyi Aviation Composites Technology Co., Ltd.", "沈阳睿翼航空复合材料科技有限公司", "AEROSPACE", "Hunnan", "aviation", 260, 2016,
		[2]string{"composite aircraft parts", "航空复合材料构件"}},
	{"Liaoning Beiyan General Aviation Maintenance Co., Ltd.", "辽宁北雁通用航空维修有限公司", "AEROSPACE", "Faku", "", 48, 2015,
		[2]string{"general aviation aircraft maintenance", "通用航空器维修"}},

	// Robotics: the Hunnan high-tech zone, welding cells in the Sino-German park.
	{"Shenyang Xingzhou Mobile Robot Technology Co., Ltd.", "沈阳星舟移动机器人科技有限公司", "ROBOTICS", "Hunnan", "hunnan", 210, 2018,
		[2]string{"AGVs and autonomous mobile robots", "AGV与自主移动机器人"}},
	{"Liaoning Tianhan Intelligent Equipment Co., Ltd.", "辽宁天焊智能装备有限公司", "ROBOTICS", "Tiexi", "sinogerman", 330, 2014,
		[2]string{"robotic welding cells", "机器人焊接工作站"}},
	{"Shenyang Qiaoshou Robotics Technology Co., Ltd.", "沈阳巧手机器人科技有限公司", "ROBOTICS", "Hunnan", "hunnan", 16, 2023,
		[2]string{"robot grippers and end effectors", "机器人夹爪与末端执行器"}},
	{"Shenyang Shouwang Inspection Robot Co., Ltd.", "沈阳守望巡检机器人有限公司", "ROBOTICS", "Hunnan", "hunnan", 95, 2017,
		[2]string{"inspection robots for substations and utility tunnels", "变电站与综合管廊巡检机器人"}},
	{"Liaoning Boheng Automation Engineering Co., Ltd.", "辽宁博衡自动化工程有限公司", "ROBOTICS", "Yuhong", "", 450, 2004,
		[2]string{"automated production line integration", "自动化生产线集成"}},
	{"Shenyang Xuanji Collaborative Robot Co., Ltd.", "沈阳璇玑协作机器人有限公司", "ROBOTICS", "Hunnan", "hunnan", 130, 2019,
		[2]string{"collaborative robot arms", "协作机械臂"}},

	// Software: the international software park and the Hunnan zone, one small firm in Heping.
	{"Shenyang Jingzhi Industrial Software Co., Ltd.", "沈阳精智工业软件有限公司", "SOFTWARE", "Hunnan", "software", 240, 2013,
		[2]string{"manufacturing execution systems", "制造执行系统软件"}},
	{"Shenyang Hehua Information Technology Co., Ltd.", "沈阳和华信息技术股份有限公司", "SOFTWARE", "Hunnan", "software", 1150, 2004,
		[2]string{"software outsourcing for Japanese clients", "对日软件外包服务"}},
	{"Liaoning Tiedun Cybersecurity Technology Co., Ltd.", "辽宁铁盾网络安全技术有限公司", "SOFTWARE", "Hunnan", "software", 180, 2015,
		[2]string{"cybersecurity services", "网络安全服务"}},
	{"Shenyang Zhengtong Digital Technology Co., Ltd.", "沈阳政通数字科技有限公司", "SOFTWARE", "Hunnan", "hunnan", 320, 2010,
		[2]string{"e-government and smart city platforms", "政务服务与智慧城市平台"}},
	{"Shenyang Xuehai Education Technology Co., Ltd.", "沈阳学海教育科技有限公司", "SOFTWARE", "Hunnan", "software", 75, 2016,
		[2]string{"online learning platforms", "在线学习平台"}},
	{"Shenyang Lingshu Data Technology Co., Ltd.", "沈阳灵枢数据科技有限公司", "SOFTWARE", "Hunnan", "hunnan", 55, 2022,
		[2]string{"industrial big-data analytics", "工业大数据分析"}},
	{"Shenyang Yiqiao Software Co., Ltd.", "沈阳易桥软件有限公司", "SOFTWARE", "Heping", "", 18, 2009,
		[2]string{"ERP implementation for small manufacturers", "中小制造企业ERP实施"}},

	// Electronics: the Hunnan zone's semiconductor and sensor cluster, assembly and
	// instruments elsewhere.
	{"Shenyang Hanxin Vacuum Technology Co., Ltd.", "沈阳瀚芯真空科技有限公司", "ELECTRONICS", "Hunnan", "hunnan", 380, 2012,
		[2]string{"vacuum components for semiconductor equipment", "半导体设备真空部件"}},
	{"Shenyang Mingcha Sensing Technology Co., Ltd.", "沈阳明察传感技术有限公司", "ELECTRONICS", "Hunnan", "hunnan", 140, 2014,
		[2]string{"industrial sensors", "工业传感器"}},
	{"Shenyang Jiecheng Electronics Co., Ltd.", "沈阳捷诚电子有限公司", "ELECTRONICS", "Yuhong", "", 620, 2001,
		[2]string{"printed circuit board assembly", "印制电路板组装"}},
	{"Liaoning Hengbian Power Electronics Co., Ltd.", "辽宁恒变电力电子股份有限公司", "ELECTRONICS", "Hunnan", "hunnan", 1100, 1998,
		[2]string{"frequency converters and power modules", "变频器与功率模块"}},
	{"Shenyang Zhunheng Electronic Instruments Co., Ltd.", "沈阳准衡电子仪器有限公司", "ELECTRONICS", "Huanggu", "", 90, 1994,
		[2]string{"electronic test and measurement instruments", "电子测量仪器"}},
	{"Shenyang Huiying Display Technology Co., Ltd.", "沈阳辉映显示科技有限公司", "ELECTRONICS", "Hunnan", "hunnan", 42, 2017,
		[2]string{"LED display screens", "LED显示屏"}},

	// New materials: light alloys and powder metallurgy in Tiexi, titanium by the aviation
	// zone, ceramics in Faku.
	{"Liaoning Yinmei Light Alloy Co., Ltd.", "辽宁银镁轻合金有限公司", "NEW_MATERIALS", "Tiexi", "tiexi", 290, 2010,
		[2]string{"magnesium alloy die castings", "镁合金压铸件"}},
	{"Shenyang Kaitai Titanium Co., Ltd.", "沈阳凯钛钛业有限公司", "NEW_MATERIALS", "Hunnan", "aviation", 210, 2011,
		[2]string{"titanium alloy bars and forgings", "钛合金棒材与锻件"}},
	{"Shenyang Dingcheng Powder Metallurgy Co., Ltd.", "沈阳鼎成粉末冶金有限公司", "NEW_MATERIALS", "Tiexi", "tiexi", 160, 2003,
		[2]string{"powder metallurgy parts", "粉末冶金零件"}},
	{"Liaoning Baiyu Technical Ceramics Co., Ltd.", "辽宁白玉特种陶瓷有限公司", "NEW_MATERIALS", "Faku", "", 130, 2012,
		[2]string{"technical ceramics", "特种陶瓷"}},

	// Biomedicine.
	{"Shenyang Minjian Biotechnology Co., Ltd.", "沈阳敏检生物科技有限公司", "BIOMEDICINE", "Hunnan", "hunnan", 150, 2015,
		[2]string{"in-vitro diagnostic reagents", "体外诊断试剂"}},
	{"Liaoning Lingcao Pharmaceutical Co., Ltd.", "辽宁灵草制药有限公司", "BIOMEDICINE", "Sujiatun", "", 560, 1996,
		[2]string{"traditional Chinese medicine preparations", "中药制剂"}},
	{"Shenyang Jiangu Medical Devices Co., Ltd.", "沈阳健骨医疗器械有限公司", "BIOMEDICINE", "Hunnan", "hunnan", 85, 2019,
		[2]string{"orthopaedic implants", "骨科植入器械"}},

	// Energy.
	{"Shenyang Nuanchun Heating Co., Ltd.", "沈阳暖春供热有限公司", "ENERGY", "Huanggu", "", 780, 1999,
		[2]string{"district heating", "城市集中供热"}},
	{"Shenyang Anhe Switchgear Co., Ltd.", "沈阳安和开关设备股份有限公司", "ENERGY", "Tiexi", "tiexi", 1650, 1991,
		[2]string{"medium- and high-voltage switchgear", "中高压开关设备"}},
	{"Liaoning Xiri Photovoltaic Technology Co., Ltd.", "辽宁曦日光伏科技有限公司", "ENERGY", "Xinmin", "", 12, 2021,
		[2]string{"rooftop solar and battery storage installation", "屋顶光伏与储能安装"}},

	// Logistics.
	{"Shenyang Tengyi Air Cargo Co., Ltd.", "沈阳腾翼航空货运有限公司", "LOGISTICS", "Hunnan", "aviation", 260, 2014,
		[2]string{"air cargo handling and forwarding", "航空货运代理与地面操作"}},
	{"Liaoning Jixing Supply Chain Management Co., Ltd.", "辽宁吉星供应链管理有限公司", "LOGISTICS", "Shenbei", "shenbei", 1250, 2010,
		[2]string{"inbound logistics for car plants", "汽车零部件入厂物流"}},
	{"Shenyang Beibing Cold-Chain Logistics Co., Ltd.", "沈阳北冰冷链物流有限公司", "LOGISTICS", "Yuhong", "", 340, 2007,
		[2]string{"cold-chain warehousing and distribution", "冷链仓储与配送"}},

	// Construction.
	{"Liaoning Qianfeng Steel Structure Engineering Co., Ltd.", "辽宁千峰钢结构工程有限公司", "CONSTRUCTION", "Sujiatun", "", 680, 2000,
		[2]string{"steel structure fabrication and erection", "钢结构制作与安装"}},
	{"Shenyang Lizhu Construction Group Co., Ltd.", "沈阳立筑建设集团有限公司", "CONSTRUCTION", "Shenhe", "", 5800, 1986,
		[2]string{"building construction", "房屋建筑施工"}},
	{"Shenyang Huijing Building Technology Co., Ltd.", "沈阳绘境建筑科技有限公司", "CONSTRUCTION", "Hunnan", "", 14, 2018,
		[2]string{"BIM modelling and consulting", "BIM建模与咨询"}},

	// Services.
	{"Shenyang Lao Tongji Catering Management Co., Ltd.", "沈阳老佟记餐饮管理有限公司", "SERVICES", "Shenhe", "", 230, 2008,
		[2]string{"Northeastern Chinese restaurants", "东北菜餐饮连锁"}},
	{"Shenyang Fushou Elderly Care Services Co., Ltd.", "沈阳福寿养老服务有限公司", "SERVICES", "Dadong", "", 160, 2013,
		[2]string{"residential and home-based elderly care", "机构与居家养老服务"}},
	{"Shenyang Shuyuan Property Management Co., Ltd.", "沈阳舒苑物业管理有限公司", "SERVICES", "Heping", "", 1450, 2002,
		[2]string{"property management", "物业管理"}},
}
