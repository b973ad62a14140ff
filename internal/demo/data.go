package demo

// Constant tables the generator draws from. Nothing here is modified at run time.

// The alliance itself.
const (
	allianceSlug   = "shenyang-high-skill"
	allianceNameEn = `Shenyang "Government-School-Enterprise-Park" High-Skill Talent Training Alliance`
	allianceNameZh = `沈阳市"政校企园"高技能人才培养联盟`
	allianceCity   = "Shenyang"
	allianceDesc   = "Founded on 17 August 2024 and convened by the Shenyang Human Resources and Social Security Bureau, " +
		"the alliance brings together 45 schools and 86 companies with government agencies and industrial parks " +
		"to train high-skill talent for Shenyang's equipment manufacturing, automotive, aerospace, robotics and software industries. " +
		"Members run job training centres that connect schools, businesses and government support, sign cooperation projects " +
		"(local projects, international cooperation and innovation ventures, order classes, apprenticeships, joint training bases) " +
		"and share resources in five areas: training facilities, job openings, teachers, training courses and skills-competition results, " +
		"to close the gap between curricula and industry needs."
)

// Organization kinds.
const (
	kindSchool  = "SCHOOL"
	kindCompany = "COMPANY"
	kindAgency  = "GOVERNMENT_AGENCY"
	kindPark    = "INDUSTRIAL_PARK"
)

// Shenyang districts (and county-level cities/counties) with their Chinese names and a
// few real street names for addresses.
type districtSpec struct {
	en, zh  string
	streets []string
}

var districts = []districtSpec{
	{"Heping", "和平区", []string{"Nanjing North Street", "Sanhao Street", "Wenhua Road", "Zhonghua Road"}},
	{"Shenhe", "沈河区", []string{"Qingnian Street", "Shifu Road", "Huigong Street", "Zhongjie Road"}},
	{"Dadong", "大东区", []string{"Dongwang Street", "Xiaodong Road", "Dabei Street", "Lianhe Road"}},
	{"Huanggu", "皇姑区", []string{"Huanghe North Street", "Chongshan Middle Road", "Lingdong Street", "Taishan Road"}},
	{"Tiexi", "铁西区", []string{"Beiyi West Road", "Jianshe East Road", "Kaifa Avenue", "Xinghua North Street", "Shenliao Road"}},
	{"Sujiatun", "苏家屯区", []string{"Xuesong Road", "Haitang Street", "Fenghuang Road"}},
	{"Hunnan", "浑南区", []string{"Hunnan Middle Road", "Chuangxin Road", "Quanyun Road", "Zhihui Street", "Shiji Road"}},
	{"Shenbei", "沈北新区", []string{"Puhe Road", "Daoyi South Avenue", "Huitong Road", "Zhengyi Road"}},
	{"Yuhong", "于洪区", []string{"Shenxin Road", "Yangshi Road", "Huanghai Road"}},
	{"Liaozhong", "辽中区", []string{"Renmin Street", "Xinhua Road"}},
	{"Xinmin", "新民市", []string{"Renmin Road", "Zhengfu Street"}},
	{"Faku", "法库县", []string{"Xinhua Street", "Tieshan Road"}},
	{"Kangping", "康平县", []string{"Dongshun Road", "Renmin Street"}},
}

// Skill taxonomy: nine top-level areas, each with specific skills below it. Child
// entries carry the job title used for openings and equipment for facilities.
type skillSpec struct {
	code, en, zh, category, parent string
	jobEn, jobZh                   string
	equipment                      []string
	desc                           string
}

var skillSpecs = []skillSpec{
	{code: "MFG", en: "Manufacturing Technology", zh: "制造技术", category: "MANUFACTURING", desc: "Machining, joining, assembly and inspection skills for discrete manufacturing."},
	{code: "MFG.CNC", en: "CNC Machining", zh: "数控加工", category: "MANUFACTURING", parent: "MFG", jobEn: "CNC Machinist", jobZh: "数控机床操作工",
		equipment: []string{"5-axis machining centre", "CNC turning centre", "CNC milling machine", "Tool presetter", "CAM workstation"}, desc: "Programming, setting up and operating CNC lathes and machining centres."},
	{code: "MFG.WELD", en: "Welding", zh: "焊接", category: "MANUFACTURING", parent: "MFG", jobEn: "Welder", jobZh: "焊工",
		equipment: []string{"MIG/MAG welding station", "TIG welding station", "Welding robot cell", "Welding fume extraction", "Virtual welding trainer"}, desc: "Manual and robotic arc welding of steel and aluminium structures."},
	{code: "MFG.FIT", en: "Fitting and Assembly", zh: "装配钳工", category: "MANUFACTURING", parent: "MFG", jobEn: "Fitter", jobZh: "装配钳工",
		equipment: []string{"Fitter workbench", "Pillar drill", "Surface plate", "Hydraulic press", "Torque tool set"}, desc: "Bench work, fitting and mechanical assembly of machines."},
	{code: "MFG.QC", en: "Quality Inspection and Metrology", zh: "质量检测与计量", category: "MANUFACTURING", parent: "MFG", jobEn: "Quality Inspector", jobZh: "质量检验员",
		equipment: []string{"Coordinate measuring machine", "Roughness tester", "Optical comparator", "Hardness tester", "Gauge block set"}, desc: "Dimensional measurement, inspection planning and quality records."},
	{code: "MFG.CAD", en: "Mechanical CAD/CAM", zh: "机械CAD/CAM", category: "MANUFACTURING", parent: "MFG", jobEn: "CAD/CAM Technician", jobZh: "机械制图与编程技术员",
		equipment: []string{"CAD workstation", "CAM software licences", "3D printer", "Large-format plotter"}, desc: "Technical drawing, 3D modelling and CAM programming."},
	{code: "MFG.CHEM", en: "Chemical Process Operation", zh: "化工总控", category: "MANUFACTURING", parent: "MFG", jobEn: "Chemical Process Operator", jobZh: "化工总控工",
		equipment: []string{"Distillation pilot plant", "DCS control room simulator", "Reactor training unit", "Gas detection kit"}, desc: "Operating and monitoring chemical production units safely."},
	{code: "MFG.PHARM", en: "Pharmaceutical Manufacturing", zh: "药物制剂", category: "MANUFACTURING", parent: "MFG", jobEn: "Pharmaceutical Production Technician", jobZh: "药物制剂工",
		equipment: []string{"GMP cleanroom suite", "Tablet press", "Capsule filling machine", "HPLC system"}, desc: "GMP production of solid and liquid dosage forms."},

	{code: "AUT", en: "Automation", zh: "自动化", category: "AUTOMATION", desc: "Robots, controls, drives and industrial networks."},
	{code: "AUT.ROBOT", en: "Industrial Robot Operation and Maintenance", zh: "工业机器人操作与运维", category: "AUTOMATION", parent: "AUT", jobEn: "Industrial Robot Technician", jobZh: "工业机器人运维员",
		equipment: []string{"6-axis industrial robot cell", "Collaborative robot", "Robot offline programming station", "Palletising workstation", "AGV training kit"}, desc: "Teaching, programming and maintaining industrial robots."},
	{code: "AUT.PLC", en: "PLC Programming", zh: "可编程控制器编程", category: "AUTOMATION", parent: "AUT", jobEn: "PLC Programmer", jobZh: "PLC编程工程师",
		equipment: []string{"PLC training rack", "HMI touch panel", "Servo drive trainer", "Modular production system"}, desc: "Programming PLCs, HMIs and drives for production lines."},
	{code: "AUT.MECH", en: "Mechatronics", zh: "机电一体化", category: "AUTOMATION", parent: "AUT", jobEn: "Mechatronics Technician", jobZh: "机电一体化技术员",
		equipment: []string{"Mechatronics training line", "Pneumatics trainer", "Hydraulics trainer", "Sensor kit"}, desc: "Installing, commissioning and troubleshooting mechatronic systems."},
	{code: "AUT.ELEC", en: "Electrical Installation and Maintenance", zh: "电气安装与维修", category: "AUTOMATION", parent: "AUT", jobEn: "Maintenance Electrician", jobZh: "维修电工",
		equipment: []string{"Electrical installation booths", "Motor control trainer", "Low-voltage switchgear", "Insulation tester"}, desc: "Industrial wiring, motor control and electrical maintenance."},
	{code: "AUT.IIOT", en: "Industrial Internet of Things", zh: "工业互联网", category: "AUTOMATION", parent: "AUT", jobEn: "IIoT Implementation Engineer", jobZh: "工业互联网实施工程师",
		equipment: []string{"Edge computing gateway", "Industrial switch rack", "MES demonstration line", "Digital twin workstation"}, desc: "Connecting machines, collecting data and deploying MES/IIoT platforms."},
	{code: "AUT.VIS", en: "Machine Vision", zh: "机器视觉", category: "AUTOMATION", parent: "AUT", jobEn: "Machine Vision Technician", jobZh: "机器视觉技术员",
		equipment: []string{"Industrial camera kit", "Vision inspection bench", "Lighting and optics set", "Vision software licences"}, desc: "Camera-based inspection, measurement and robot guidance."},

	{code: "DIG", en: "Digital Technology", zh: "数字技术", category: "DIGITAL", desc: "Software, data, networks and artificial intelligence."},
	{code: "DIG.SWT", en: "Software Testing", zh: "软件测试", category: "DIGITAL", parent: "DIG", jobEn: "Software Test Engineer", jobZh: "软件测试工程师",
		equipment: []string{"Test automation servers", "Device farm", "Developer workstations"}, desc: "Test design, automated testing and defect management."},
	{code: "DIG.DEV", en: "Software Development", zh: "软件开发", category: "DIGITAL", parent: "DIG", jobEn: "Software Developer", jobZh: "软件开发工程师",
		equipment: []string{"Developer workstations", "CI/CD server", "Private cloud cluster"}, desc: "Building web and enterprise applications."},
	{code: "DIG.DATA", en: "Big Data Analysis", zh: "大数据分析", category: "DIGITAL", parent: "DIG", jobEn: "Data Analyst", jobZh: "数据分析师",
		equipment: []string{"Hadoop training cluster", "GPU server", "BI dashboard wall"}, desc: "Collecting, cleaning and analysing business and production data."},
	{code: "DIG.NET", en: "Network Operation and Maintenance", zh: "网络运维", category: "DIGITAL", parent: "DIG", jobEn: "Network Operations Engineer", jobZh: "网络运维工程师",
		equipment: []string{"Router and switch racks", "Firewall lab", "Server room simulator"}, desc: "Building, operating and securing enterprise networks."},
	{code: "DIG.AI", en: "AI Training and Data Annotation", zh: "人工智能训练", category: "DIGITAL", parent: "DIG", jobEn: "AI Trainer", jobZh: "人工智能训练师",
		equipment: []string{"GPU server", "Annotation workstations", "Edge AI kits"}, desc: "Preparing data, training and evaluating AI models."},

	{code: "AUTO", en: "Automotive Technology", zh: "汽车技术", category: "AUTOMOTIVE", desc: "Vehicle manufacturing, painting and maintenance."},
	{code: "AUTO.ASSY", en: "Automotive Assembly", zh: "汽车装调", category: "AUTOMOTIVE", parent: "AUTO", jobEn: "Automotive Assembly Technician", jobZh: "汽车装调工",
		equipment: []string{"Vehicle assembly training line", "Torque-controlled nutrunners", "Chassis dynamometer", "Body-in-white fixture"}, desc: "Assembling, adjusting and testing vehicles on the line."},
	{code: "AUTO.PAINT", en: "Automotive Painting", zh: "汽车涂装", category: "AUTOMOTIVE", parent: "AUTO", jobEn: "Automotive Painter", jobZh: "汽车涂装工",
		equipment: []string{"Spray booth", "Painting robot", "Colour matching system", "Infrared drying lamps"}, desc: "Surface preparation and automotive spray painting."},
	{code: "AUTO.NEV", en: "New Energy Vehicle Maintenance", zh: "新能源汽车维修", category: "AUTOMOTIVE", parent: "AUTO", jobEn: "NEV Maintenance Technician", jobZh: "新能源汽车维修工",
		equipment: []string{"High-voltage battery trainer", "EV diagnostic scanner", "Insulated tool set", "Charging pile trainer"}, desc: "Diagnosing and servicing electric and hybrid vehicles."},
	{code: "AUTO.BODY", en: "Auto Body Repair", zh: "汽车车身修复", category: "AUTOMOTIVE", parent: "AUTO", jobEn: "Body Repair Technician", jobZh: "车身修复工",
		equipment: []string{"Frame straightening bench", "Spot welder", "Dent repair kit"}, desc: "Repairing vehicle bodies and structures."},

	{code: "AERO", en: "Aerospace Manufacturing", zh: "航空航天制造", category: "AEROSPACE", desc: "Airframe and engine manufacturing and maintenance."},
	{code: "AERO.RIVET", en: "Aircraft Riveting", zh: "飞机铆装", category: "AEROSPACE", parent: "AERO", jobEn: "Aircraft Riveter", jobZh: "飞机铆装钳工",
		equipment: []string{"Airframe riveting jig", "Pneumatic rivet guns", "Automatic drilling and riveting machine", "Fuselage section mock-up"}, desc: "Drilling, riveting and sealing airframe structures."},
	{code: "AERO.COMP", en: "Composite Material Manufacturing", zh: "复合材料制造", category: "AEROSPACE", parent: "AERO", jobEn: "Composite Technician", jobZh: "复合材料成型工",
		equipment: []string{"Autoclave", "Prepreg cutting table", "Ultrasonic NDT scanner", "Clean lay-up room"}, desc: "Lay-up, curing and inspection of composite parts."},
	{code: "AERO.MRO", en: "Aircraft Maintenance", zh: "航空器维修", category: "AEROSPACE", parent: "AERO", jobEn: "Aircraft Maintenance Technician", jobZh: "航空器维修技术员",
		equipment: []string{"Training aircraft", "Avionics test bench", "Borescope", "Hydraulic ground cart"}, desc: "Inspection, repair and overhaul of aircraft and systems."},
	{code: "AERO.ENG", en: "Aero-Engine Assembly", zh: "航空发动机装配", category: "AEROSPACE", parent: "AERO", jobEn: "Aero-Engine Assembler", jobZh: "航空发动机装配工",
		equipment: []string{"Engine assembly stand", "Balancing machine", "Blade inspection station"}, desc: "Precision assembly and balancing of aero-engine modules."},

	{code: "ENE", en: "Energy and Power", zh: "能源电力", category: "ENERGY", desc: "Power grids, renewables and building energy systems."},
	{code: "ENE.GRID", en: "Power Grid Operation and Maintenance", zh: "电网运行与维护", category: "ENERGY", parent: "ENE", jobEn: "Substation Operator", jobZh: "变电运维工",
		equipment: []string{"Substation simulator", "Relay protection tester", "Live-line work trainer"}, desc: "Operating and maintaining substations and distribution networks."},
	{code: "ENE.PV", en: "Photovoltaic Installation and Maintenance", zh: "光伏安装与运维", category: "ENERGY", parent: "ENE", jobEn: "PV Technician", jobZh: "光伏运维员",
		equipment: []string{"Rooftop PV training array", "Inverter trainer", "Battery storage trainer"}, desc: "Installing and maintaining photovoltaic and storage systems."},
	{code: "ENE.HVAC", en: "Refrigeration and Air Conditioning", zh: "制冷与空调", category: "ENERGY", parent: "ENE", jobEn: "HVAC Technician", jobZh: "制冷空调系统安装维修工",
		equipment: []string{"Refrigeration trainer", "Heat pump rig", "Refrigerant recovery unit"}, desc: "Installing and servicing refrigeration and HVAC systems."},

	{code: "CON", en: "Construction", zh: "建筑工程", category: "CONSTRUCTION", desc: "Building design, surveying and structural works."},
	{code: "CON.BIM", en: "BIM Modelling", zh: "建筑信息模型", category: "CONSTRUCTION", parent: "CON", jobEn: "BIM Modeller", jobZh: "BIM建模员",
		equipment: []string{"BIM workstations", "VR walkthrough room", "Large-format plotter"}, desc: "Building information modelling and coordination."},
	{code: "CON.SURV", en: "Construction Surveying", zh: "工程测量", category: "CONSTRUCTION", parent: "CON", jobEn: "Surveyor", jobZh: "工程测量员",
		equipment: []string{"Total stations", "GNSS receivers", "Digital levels", "Survey drone"}, desc: "Setting out and measuring on construction sites."},
	{code: "CON.STEEL", en: "Steel Structure Installation", zh: "钢结构安装", category: "CONSTRUCTION", parent: "CON", jobEn: "Steel Structure Installer", jobZh: "钢结构安装工",
		equipment: []string{"Steel frame training rig", "Bolt tensioning tools", "Mobile crane simulator"}, desc: "Erecting and connecting steel structures."},

	{code: "SRV", en: "Modern Services", zh: "现代服务", category: "SERVICE", desc: "Logistics, commerce, care and hospitality."},
	{code: "SRV.LOG", en: "Warehousing and Logistics", zh: "仓储物流", category: "SERVICE", parent: "SRV", jobEn: "Logistics Specialist", jobZh: "物流专员",
		equipment: []string{"Automated storage system", "WMS terminals", "Forklift simulator", "Sorting conveyor"}, desc: "Warehouse operations, inventory and distribution."},
	{code: "SRV.ECOM", en: "E-commerce Operation", zh: "电子商务运营", category: "SERVICE", parent: "SRV", jobEn: "E-commerce Operator", jobZh: "电商运营专员",
		equipment: []string{"Live-streaming studio", "Product photography studio", "E-commerce sandbox"}, desc: "Online store operation, live-stream selling and customer service."},
	{code: "SRV.CARE", en: "Elderly Care", zh: "养老护理", category: "SERVICE", parent: "SRV", jobEn: "Elderly Care Worker", jobZh: "养老护理员",
		equipment: []string{"Care ward simulation room", "Rehabilitation equipment", "Patient simulator"}, desc: "Daily living support, rehabilitation and care for the elderly."},
	{code: "SRV.COOK", en: "Chinese Cooking", zh: "中式烹调", category: "SERVICE", parent: "SRV", jobEn: "Chinese Cook", jobZh: "中式烹调师",
		equipment: []string{"Training kitchen", "Pastry room", "Food safety lab"}, desc: "Chinese cuisine, including Liaoning and Northeast dishes."},

	{code: "GEN", en: "General Competencies", zh: "通用能力", category: "GENERAL", desc: "Cross-cutting skills every technician needs."},
	{code: "GEN.SAFE", en: "Occupational Safety", zh: "安全生产", category: "GENERAL", parent: "GEN", jobEn: "Safety Officer", jobZh: "安全员",
		equipment: []string{"Safety experience hall", "Fire-fighting trainer", "First aid manikins"}, desc: "Hazard identification, safe work and emergency response."},
	{code: "GEN.LEAN", en: "Lean Production", zh: "精益生产", category: "GENERAL", parent: "GEN", jobEn: "Lean Production Specialist", jobZh: "精益生产专员",
		equipment: []string{"Lean learning factory", "Kanban board set", "Andon system"}, desc: "5S, standard work, value-stream mapping and continuous improvement."},
	{code: "GEN.DE", en: "Technical German", zh: "专业德语", category: "GENERAL", parent: "GEN", jobEn: "Technical Translator (German)", jobZh: "德语技术翻译",
		equipment: []string{"Language lab", "Interpretation booths"}, desc: "German for technical documents and dual-apprenticeship programmes."},
}

// Skill codes a school's teaching focus covers, and the majors it offers.
var focusSkills = map[string][]string{
	"mech":         {"MFG.CNC", "MFG.WELD", "MFG.FIT", "MFG.QC", "MFG.CAD", "AUT.MECH", "AUT.ELEC", "GEN.SAFE", "GEN.LEAN"},
	"auto":         {"AUTO.ASSY", "AUTO.PAINT", "AUTO.NEV", "AUTO.BODY", "AUT.ROBOT", "MFG.WELD", "AUT.PLC", "GEN.SAFE"},
	"aero":         {"AERO.RIVET", "AERO.COMP", "AERO.MRO", "AERO.ENG", "MFG.CNC", "MFG.QC"},
	"it":           {"DIG.SWT", "DIG.DEV", "DIG.DATA", "DIG.NET", "DIG.AI", "AUT.IIOT"},
	"robot":        {"AUT.ROBOT", "AUT.PLC", "AUT.VIS", "AUT.MECH", "AUT.ELEC", "AUT.IIOT"},
	"construction": {"CON.BIM", "CON.SURV", "CON.STEEL", "MFG.WELD", "GEN.SAFE"},
	"energy":       {"ENE.GRID", "ENE.PV", "ENE.HVAC", "AUT.ELEC", "GEN.SAFE"},
	"chem":         {"MFG.CHEM", "MFG.QC", "AERO.COMP", "GEN.SAFE"},
	"medical":      {"MFG.PHARM", "SRV.CARE", "GEN.SAFE"},
	"service":      {"SRV.LOG", "SRV.ECOM", "SRV.CARE", "SRV.COOK", "GEN.SAFE"},
	"general":      {"MFG.CAD", "AUT.PLC", "AUT.ELEC", "DIG.DEV", "DIG.DATA", "CON.BIM", "GEN.LEAN"},
}

var focusMajors = map[string][]string{
	"mech":         {"CNC Technology", "Mechanical Design and Manufacturing", "Mould Design and Manufacturing", "Welding Technology", "Mechatronics Technology", "Intelligent Manufacturing Equipment Technology", "Industrial Product Quality Inspection"},
	"auto":         {"Automotive Manufacturing and Testing Technology", "New Energy Vehicle Technology", "Automotive Inspection and Maintenance Technology", "Automotive Body Repair Technology", "Automotive Electronics Technology"},
	"aero":         {"Aircraft Manufacturing Technology", "Aircraft Electromechanical Equipment Maintenance", "Aero-Engine Manufacturing Technology", "Composite Materials Technology", "Unmanned Aerial Vehicle Application Technology"},
	"it":           {"Software Technology", "Big Data Technology", "Cloud Computing Technology Application", "Computer Network Technology", "Artificial Intelligence Technology Application", "Industrial Internet Technology"},
	"robot":        {"Industrial Robot Technology", "Electrical Automation Technology", "Intelligent Control Technology", "Machine Vision Technology", "Mechatronics Technology"},
	"construction": {"Construction Engineering Technology", "Building Information Modelling", "Engineering Surveying Technology", "Steel Structure Construction", "Project Cost Management"},
	"energy":       {"Power System Automation Technology", "Photovoltaic Engineering Technology", "Power Plant Thermal Equipment", "Refrigeration and Air-Conditioning Technology", "Electrical Automation Technology"},
	"chem":         {"Applied Chemical Technology", "Petrochemical Technology", "Polymer Materials Engineering", "Industrial Analysis Technology", "Safety Technology and Management"},
	"medical":      {"Pharmaceutical Production Technology", "Medical Device Maintenance", "Drug Quality and Safety", "Nursing", "Elderly Care Services and Management"},
	"service":      {"Modern Logistics Management", "E-commerce", "Hotel Management", "Chinese Cuisine", "Elderly Care Services and Management", "Tourism Management"},
	"general":      {"Mechanical Engineering", "Electrical Engineering and Automation", "Computer Science and Technology", "Materials Science and Engineering", "Automation", "Civil Engineering", "Industrial Design"},
}

// Skill codes each industry needs.
var industrySkills = map[string][]string{
	"EQUIPMENT_MANUFACTURING": {"MFG.CNC", "MFG.WELD", "MFG.FIT", "MFG.QC", "MFG.CAD", "AUT.PLC", "AUT.MECH", "AUT.ELEC", "AUT.ROBOT", "GEN.LEAN"},
	"AUTOMOTIVE":              {"AUTO.ASSY", "AUTO.PAINT", "AUTO.NEV", "AUTO.BODY", "AUT.ROBOT", "MFG.WELD", "MFG.QC", "GEN.LEAN"},
	"AEROSPACE":               {"AERO.RIVET", "AERO.COMP", "AERO.MRO", "AERO.ENG", "MFG.CNC", "MFG.QC"},
	"ROBOTICS":                {"AUT.ROBOT", "AUT.PLC", "AUT.VIS", "AUT.MECH", "AUT.ELEC", "DIG.AI"},
	"SOFTWARE":                {"DIG.SWT", "DIG.DEV", "DIG.DATA", "DIG.NET", "DIG.AI"},
	"ELECTRONICS":             {"AUT.ELEC", "AUT.IIOT", "AUT.VIS", "AUT.ROBOT", "MFG.QC", "DIG.NET"},
	"NEW_MATERIALS":           {"AERO.COMP", "MFG.CHEM", "MFG.QC", "GEN.SAFE"},
	"BIOMEDICINE":             {"MFG.PHARM", "MFG.QC", "GEN.SAFE", "DIG.DATA"},
	"ENERGY":                  {"ENE.GRID", "ENE.PV", "ENE.HVAC", "AUT.ELEC", "GEN.SAFE"},
	"LOGISTICS":               {"SRV.LOG", "SRV.ECOM", "DIG.DATA", "GEN.SAFE"},
	"CONSTRUCTION":            {"CON.BIM", "CON.SURV", "CON.STEEL", "MFG.WELD", "GEN.SAFE"},
	"SERVICES":                {"SRV.COOK", "SRV.CARE", "SRV.ECOM", "SRV.LOG"},
}

var industryPhrase = map[string]string{
	"EQUIPMENT_MANUFACTURING": "equipment manufacturer",
	"AUTOMOTIVE":              "automotive manufacturer",
	"AEROSPACE":               "aerospace manufacturer",
	"ROBOTICS":                "robotics and automation company",
	"SOFTWARE":                "software and IT services company",
	"ELECTRONICS":             "electronics manufacturer",
	"NEW_MATERIALS":           "advanced materials producer",
	"BIOMEDICINE":             "biomedical company",
	"ENERGY":                  "power and energy company",
	"LOGISTICS":               "logistics company",
	"CONSTRUCTION":            "construction company",
	"SERVICES":                "services company",
}

type schoolSpec struct {
	key, en, zh, level, district string
	founded, students            int
	focus, website               string
}

var schoolSpecs = []schoolSpec{
	// Universities.
	{"neu", "Northeastern University", "东北大学", "UNIVERSITY", "Heping", 1923, 58000, "general", "https://www.neu.edu.cn"},
	{"sut", "Shenyang University of Technology", "沈阳工业大学", "UNIVERSITY", "Tiexi", 1949, 28000, "mech", "https://www.sut.edu.cn"},
	{"sau", "Shenyang Aerospace University", "沈阳航空航天大学", "UNIVERSITY", "Shenbei", 1952, 22000, "aero", "https://www.sau.edu.cn"},
	{"slu", "Shenyang Ligong University", "沈阳理工大学", "UNIVERSITY", "Hunnan", 1948, 24000, "robot", ""},
	{"sjzu", "Shenyang Jianzhu University", "沈阳建筑大学", "UNIVERSITY", "Hunnan", 1948, 26000, "construction", ""},
	{"suct", "Shenyang University of Chemical Technology", "沈阳化工大学", "UNIVERSITY", "Tiexi", 1952, 20000, "chem", ""},
	{"sie", "Shenyang Institute of Engineering", "沈阳工程学院", "UNIVERSITY", "Shenbei", 1952, 16000, "energy", ""},
	{"syu", "Shenyang University", "沈阳大学", "UNIVERSITY", "Dadong", 1983, 21000, "general", ""},
	// Higher vocational colleges.
	{"spc", "Shenyang Polytechnic College", "沈阳职业技术学院", "HIGHER_VOCATIONAL_COLLEGE", "Dadong", 1999, 13000, "mech", ""},
	{"lemvtc", "Liaoning Equipment Manufacturing Vocational and Technical College", "辽宁装备制造职业技术学院", "HIGHER_VOCATIONAL_COLLEGE", "Tiexi", 1951, 12000, "mech", ""},
	{"lpcc", "Liaoning Provincial College of Communications", "辽宁省交通高等专科学校", "HIGHER_VOCATIONAL_COLLEGE", "Hunnan", 1951, 11000, "auto", ""},
	{"levti", "Liaoning Economic Vocational Technological Institute", "辽宁经济职业技术学院", "HIGHER_VOCATIONAL_COLLEGE", "Huanggu", 1958, 9000, "service", ""},
	{"lucstc", "Liaoning Urban Construction Technical College", "辽宁城市建设职业技术学院", "HIGHER_VOCATIONAL_COLLEGE", "Hunnan", 1952, 8000, "construction", ""},
	{"northsoft", "Shenyang North Software Information Vocational and Technical College", "沈阳北软信息职业技术学院", "HIGHER_VOCATIONAL_COLLEGE", "Hunnan", 2002, 7000, "it", ""},
	{"savtc", "Shenyang Aviation Vocational and Technical College", "沈阳航空职业技术学院", "HIGHER_VOCATIONAL_COLLEGE", "Shenbei", 2003, 6000, "aero", ""},
	{"lvcm", "Liaoning Vocational College of Medicine", "辽宁医药职业学院", "HIGHER_VOCATIONAL_COLLEGE", "Sujiatun", 1958, 9000, "medical", ""},
	{"lmsvtc", "Liaoning Modern Service Vocational and Technical College", "辽宁现代服务职业技术学院", "HIGHER_VOCATIONAL_COLLEGE", "Shenbei", 2003, 7000, "service", ""},
	{"lwcvc", "Liaoning Water Conservancy Vocational College", "辽宁水利职业学院", "HIGHER_VOCATIONAL_COLLEGE", "Dadong", 1951, 6000, "construction", ""},
	{"leevc", "Liaoning Ecological Engineering Vocational College", "辽宁生态工程职业学院", "HIGHER_VOCATIONAL_COLLEGE", "Hunnan", 1951, 7000, "construction", ""},
	{"simvc", "Shenyang Intelligent Manufacturing Vocational College", "沈阳智能制造职业学院", "HIGHER_VOCATIONAL_COLLEGE", "Tiexi", 2010, 6500, "robot", ""},
	{"snevtc", "Shenyang New Energy Vocational and Technical College", "沈阳新能源职业技术学院", "HIGHER_VOCATIONAL_COLLEGE", "Shenbei", 2012, 5000, "energy", ""},
	{"sdevc", "Shenbei Digital Economy Vocational College", "沈北数字经济职业学院", "HIGHER_VOCATIONAL_COLLEGE", "Shenbei", 2018, 4500, "it", ""},
	// Technician colleges.
	{"stc", "Shenyang Technician College", "沈阳技师学院", "TECHNICIAN_COLLEGE", "Dadong", 1951, 6000, "mech", ""},
	{"semtc", "Shenyang Equipment Manufacturing Technician College", "沈阳装备制造技师学院", "TECHNICIAN_COLLEGE", "Tiexi", 1978, 4500, "mech", ""},
	{"sautotc", "Shenyang Automotive Technician College", "沈阳汽车技师学院", "TECHNICIAN_COLLEGE", "Dadong", 1980, 4000, "auto", ""},
	{"saviatc", "Shenyang Aviation Industry Technician College", "沈阳航空工业技师学院", "TECHNICIAN_COLLEGE", "Huanggu", 1956, 3500, "aero", ""},
	{"lemtc", "Liaoning Electromechanical Technician College", "辽宁机电技师学院", "TECHNICIAN_COLLEGE", "Yuhong", 1975, 4000, "robot", ""},
	{"sctc", "Shenyang Construction Technician College", "沈阳建设技师学院", "TECHNICIAN_COLLEGE", "Sujiatun", 1984, 3000, "construction", ""},
	{"septc", "Shenyang Electric Power Technician College", "沈阳电力技师学院", "TECHNICIAN_COLLEGE", "Shenbei", 1979, 3000, "energy", ""},
	{"nhitc", "Northern Heavy Industries Technician College", "北方重工技师学院", "TECHNICIAN_COLLEGE", "Tiexi", 1956, 2500, "mech", ""},
	{"srobtc", "Shenyang Robotics Technician College", "沈阳机器人技师学院", "TECHNICIAN_COLLEGE", "Hunnan", 2016, 2500, "robot", ""},
	// Secondary vocational schools.
	{"semes", "Shenyang Equipment Manufacturing Engineering School", "沈阳市装备制造工程学校", "SECONDARY_VOCATIONAL_SCHOOL", "Tiexi", 1958, 3500, "mech", ""},
	{"saes", "Shenyang Automotive Engineering School", "沈阳市汽车工程学校", "SECONDARY_VOCATIONAL_SCHOOL", "Dadong", 1979, 3000, "auto", ""},
	{"sies", "Shenyang Information Engineering School", "沈阳市信息工程学校", "SECONDARY_VOCATIONAL_SCHOOL", "Hunnan", 1984, 3200, "it", ""},
	{"scis", "Shenyang Chemical Industry School", "沈阳市化工学校", "SECONDARY_VOCATIONAL_SCHOOL", "Tiexi", 1958, 2200, "chem", ""},
	{"sts", "Shenyang Tourism School", "沈阳市旅游学校", "SECONDARY_VOCATIONAL_SCHOOL", "Heping", 1984, 2000, "service", ""},
	{"sucms", "Shenyang Urban Construction Management School", "沈阳市城市建设管理学校", "SECONDARY_VOCATIONAL_SCHOOL", "Yuhong", 1980, 2400, "construction", ""},
	{"sfass", "Shenyang Foreign Affairs Service School", "沈阳市外事服务学校", "SECONDARY_VOCATIONAL_SCHOOL", "Huanggu", 1985, 1800, "service", ""},
	{"stts", "Shenyang Transportation School", "沈阳市交通运输学校", "SECONDARY_VOCATIONAL_SCHOOL", "Yuhong", 1976, 2600, "auto", ""},
	{"sjtvec", "Sujiatun District Vocational Education Centre", "沈阳市苏家屯区职业教育中心", "SECONDARY_VOCATIONAL_SCHOOL", "Sujiatun", 1990, 1800, "mech", ""},
	{"xmvec", "Xinmin Vocational Education Centre", "新民市职业教育中心", "SECONDARY_VOCATIONAL_SCHOOL", "Xinmin", 1992, 2200, "service", ""},
	{"lzvec", "Liaozhong District Vocational Education Centre", "沈阳市辽中区职业教育中心", "SECONDARY_VOCATIONAL_SCHOOL", "Liaozhong", 1991, 1900, "auto", ""},
	{"fkvec", "Faku County Vocational Education Centre", "法库县职业教育中心", "SECONDARY_VOCATIONAL_SCHOOL", "Faku", 1993, 1500, "construction", ""},
	{"kpvec", "Kangping County Vocational Education Centre", "康平县职业教育中心", "SECONDARY_VOCATIONAL_SCHOOL", "Kangping", 1994, 1300, "service", ""},
	{"scoms", "Shenyang Commercial School", "沈阳市商业学校", "SECONDARY_VOCATIONAL_SCHOOL", "Shenhe", 1960, 2000, "service", ""},
}

var schoolLevelPhrase = map[string]string{
	"UNIVERSITY":                  "University",
	"HIGHER_VOCATIONAL_COLLEGE":   "Higher vocational college",
	"TECHNICIAN_COLLEGE":          "Technician college",
	"SECONDARY_VOCATIONAL_SCHOOL": "Secondary vocational school",
}

type companySpec struct {
	key, en, zh, industry string
	employees             int
	district              string
	founded               int
	park                  string // park key, "" when outside the parks
	origin                string // "" domestic; else the investor's country code
	website               string
}

// Real Shenyang employers, and German-invested firms of the Sino-German park (the latter
// are invented names).
var companySpecs = []companySpec{
	{"smtcl", "Shenyang Machine Tool Co., Ltd.", "沈阳机床股份有限公司", "EQUIPMENT_MANUFACTURING", 5200, "Tiexi", 1993, "tiexi", "", ""},
	{"sbw", "Shenyang Blower Works Group Corporation", "沈鼓集团股份有限公司", "EQUIPMENT_MANUFACTURING", 6500, "Tiexi", 1934, "tiexi", "", ""},
	{"turbo", "Shenyang Turbo Machinery Co., Ltd.", "沈阳透平机械股份有限公司", "EQUIPMENT_MANUFACTURING", 1800, "Tiexi", 2004, "tiexi", "", ""},
	{"nhi", "Northern Heavy Industries Group Co., Ltd.", "北方重工集团有限公司", "EQUIPMENT_MANUFACTURING", 5000, "Tiexi", 2006, "tiexi", "", ""},
	{"tbea", "TBEA Shenyang Transformer Group Co., Ltd.", "特变电工沈阳变压器集团有限公司", "ENERGY", 3000, "Tiexi", 1938, "tiexi", "", ""},
	{"sgcc", "State Grid Shenyang Electric Power Supply Company", "国网沈阳供电公司", "ENERGY", 7000, "Heping", 1952, "", "", ""},
	{"bba", "BMW Brilliance Automotive Ltd.", "华晨宝马汽车有限公司", "AUTOMOTIVE", 27000, "Tiexi", 2003, "sinogerman", "DE", "https://www.bmw-brilliance.cn"},
	{"michelin", "Michelin Shenyang Tire Co., Ltd.", "米其林沈阳轮胎有限公司", "AUTOMOTIVE", 2000, "Tiexi", 2001, "tiexi", "FR", ""},
	{"sac", "Shenyang Aircraft Corporation", "沈阳飞机工业(集团)有限公司", "AEROSPACE", 15000, "Huanggu", 1951, "", "", ""},
	{"liming", "AECC Shenyang Liming Aero-Engine Co., Ltd.", "中国航发沈阳黎明航空发动机有限责任公司", "AEROSPACE", 12000, "Dadong", 1954, "", "", ""},
	{"siasun", "SIASUN Robot & Automation Co., Ltd.", "沈阳新松机器人自动化股份有限公司", "ROBOTICS", 4000, "Hunnan", 2000, "hunnan", "", "https://www.siasun.com"},
	{"neusoft", "Neusoft Corporation", "东软集团股份有限公司", "SOFTWARE", 18000, "Hunnan", 1991, "software", "", "https://www.neusoft.com"},
	{"neumed", "Neusoft Medical Systems Co., Ltd.", "东软医疗系统股份有限公司", "BIOMEDICINE", 2500, "Hunnan", 1998, "hunnan", "", ""},
	{"sunshine", "Shenyang Sunshine Pharmaceutical Co., Ltd.", "沈阳三生制药有限责任公司", "BIOMEDICINE", 2000, "Hunnan", 1993, "hunnan", "", ""},
	{"yuanda", "Shenyang Yuanda Aluminium Industry Engineering Co., Ltd.", "沈阳远大铝业工程有限公司", "CONSTRUCTION", 3000, "Tiexi", 1993, "", "", ""},
	{"rheinfeld", "Rheinfeld Drive Systems (Shenyang) Co., Ltd.", "莱茵菲尔德传动系统(沈阳)有限公司", "EQUIPMENT_MANUFACTURING", 420, "Tiexi", 2016, "sinogerman", "DE", ""},
	{"auerbach", "Auerbach Hydraulics (Shenyang) Co., Ltd.", "奥尔巴赫液压(沈阳)有限公司", "EQUIPMENT_MANUFACTURING", 310, "Tiexi", 2017, "sinogerman", "DE", ""},
	{"steinmetz", "Steinmetz Precision Tools (Shenyang) Co., Ltd.", "施泰因梅茨精密工具(沈阳)有限公司", "EQUIPMENT_MANUFACTURING", 85, "Tiexi", 2018, "sinogerman", "DE", ""},
	{"hollmann", "Hollmann Automotive Interiors (Shenyang) Co., Ltd.", "霍尔曼汽车内饰(沈阳)有限公司", "AUTOMOTIVE", 650, "Tiexi", 2016, "sinogerman", "DE", ""},
	{"falkenberg", "Falkenberg Laser Systems (Shenyang) Co., Ltd.", "法尔肯贝格激光系统(沈阳)有限公司", "ELECTRONICS", 95, "Tiexi", 2019, "sinogerman", "DE", ""},
	{"wendel", "Wendel Powertrain Components (Shenyang) Co., Ltd.", "文德尔动力总成部件(沈阳)有限公司", "AUTOMOTIVE", 1200, "Tiexi", 2015, "sinogerman", "DE", ""},
	{"ostwald", "Ostwald Logistics Solutions (Shenyang) Co., Ltd.", "奥斯特瓦尔德物流方案(沈阳)有限公司", "LOGISTICS", 60, "Tiexi", 2019, "sinogerman", "DE", ""},
	{"kranich", "Kranich Surface Technology (Shenyang) Co., Ltd.", "克拉尼希表面技术(沈阳)有限公司", "NEW_MATERIALS", 75, "Tiexi", 2020, "sinogerman", "DE", ""},
}

type agencySpec struct {
	key, en, zh, jurisdiction, district, desc string
}

var agencySpecs = []agencySpec{
	{"hrss", "Shenyang Human Resources and Social Security Bureau", "沈阳市人力资源和社会保障局", "MUNICIPAL", "Shenhe",
		"Municipal bureau for employment, vocational skills and social security; convenes the alliance and funds subsidised skills training."},
	{"edu", "Shenyang Municipal Education Bureau", "沈阳市教育局", "MUNICIPAL", "Shenhe",
		"Oversees the city's vocational schools and industry-education integration."},
	{"miit", "Shenyang Municipal Bureau of Industry and Information Technology", "沈阳市工业和信息化局", "MUNICIPAL", "Hunnan",
		"Industrial policy, intelligent manufacturing and digital transformation of local industry."},
	{"lnhrss", "Liaoning Provincial Department of Human Resources and Social Security", "辽宁省人力资源和社会保障厅", "PROVINCIAL", "Heping",
		"Provincial department for human resources, skills certification and skills competitions."},
	{"txhrss", "Tiexi District Human Resources and Social Security Bureau", "沈阳市铁西区人力资源和社会保障局", "DISTRICT", "Tiexi",
		"District bureau serving the Tiexi equipment manufacturing base and the Sino-German park."},
}

type parkSpec struct {
	key, en, zh, district string
	founded               int
	area                  string
	focus                 []string
	desc                  string
}

var parkSpecs = []parkSpec{
	{"sinogerman", "Sino-German (Shenyang) High-End Equipment Manufacturing Industrial Park", "中德(沈阳)高端装备制造产业园", "Tiexi", 2015, "48.00",
		[]string{"EQUIPMENT_MANUFACTURING", "AUTOMOTIVE", "ROBOTICS", "NEW_MATERIALS"},
		"State-level park for Sino-German cooperation in intelligent manufacturing, home to German-invested firms and dual vocational training."},
	{"hunnan", "Shenyang Hunnan High-tech Industrial Development Zone", "沈阳浑南高新技术产业开发区", "Hunnan", 1991, "125.50",
		[]string{"ROBOTICS", "SOFTWARE", "ELECTRONICS", "BIOMEDICINE"},
		"National high-tech zone for robotics, integrated circuits, software and biomedicine."},
	{"tiexi", "Shenyang Tiexi Equipment Manufacturing Industrial Park", "沈阳铁西装备制造产业园", "Tiexi", 2002, "60.00",
		[]string{"EQUIPMENT_MANUFACTURING", "ENERGY", "NEW_MATERIALS", "AUTOMOTIVE"},
		"Core of Shenyang's traditional heavy-industry base: machine tools, compressors, transformers and heavy machinery."},
	{"shenbei", "Shenyang Shenbei Automotive Parts Industrial Park", "沈北汽车零部件产业园", "Shenbei", 2010, "18.50",
		[]string{"AUTOMOTIVE", "LOGISTICS", "EQUIPMENT_MANUFACTURING"},
		"Cluster of automotive component suppliers and logistics serving the city's vehicle plants."},
	{"software", "Shenyang International Software Park", "沈阳国际软件园", "Hunnan", 2008, "1.60",
		[]string{"SOFTWARE", "ELECTRONICS"},
		"Software, IT services and digital economy park."},
	{"aviation", "Shenyang Aviation Economic Zone", "沈阳航空经济区", "Hunnan", 2013, "56.00",
		[]string{"AEROSPACE", "NEW_MATERIALS", "LOGISTICS"},
		"Aviation manufacturing, airport logistics and general aviation around Taoxian International Airport."},
}

// Organisations with a fixed membership role (besides the kick-off signatories, who are
// founding members, as is the bureau that convened the alliance).
var councilKeys = []string{"neu", "sac", "sjzu", "edu", "miit", "txhrss", "tiexi", "shenbei", "software", "aviation", "sgcc", "yuanda"}
var observerKeys = []string{"lnhrss"}

// A kick-off project signed on 17 August 2024.
type kickoffSpec struct {
	kind, en, zh, desc string
	lead               string
	partners           []string
	sponsors           []string
	status             string // ACTIVE or COMPLETED
}

var kickoffSpecs = []kickoffSpec{
	{"LOCAL_PROJECT", "Intelligent CNC Machining Talent Cultivation Project", "智能数控加工人才培养项目",
		"Joint curriculum and shop-floor training in multi-axis CNC machining for Shenyang Machine Tool's production lines.",
		"smtcl", []string{"spc", "stc"}, nil, "ACTIVE"},
	{"LOCAL_PROJECT", "Compressor and Blower Assembly Craftsman Programme", "压缩机与鼓风机装配工匠培养计划",
		"Training fitters and assemblers for large centrifugal compressors.",
		"sbw", []string{"lemvtc", "semes"}, nil, "ACTIVE"},
	{"LOCAL_PROJECT", "Heavy Equipment Welding Skills Upgrading Project", "重型装备焊接技能提升项目",
		"Upskilling welders for heavy mining and tunnelling equipment, with certification.",
		"nhi", []string{"semes", "stc"}, nil, "COMPLETED"},
	{"LOCAL_PROJECT", "Aero-Engine Precision Manufacturing Skills Project", "航空发动机精密制造技能人才项目",
		"Precision machining and assembly training for aero-engine components.",
		"liming", []string{"sau", "savtc"}, nil, "ACTIVE"},
	{"INTERNATIONAL_COOPERATION", "Sino-German Dual Apprenticeship Programme in Automotive Mechatronics", "中德汽车机电双元制学徒项目",
		"German-style dual apprenticeship: school-based learning plus rotations in the BMW Brilliance plants, with German-standard final examinations.",
		"bba", []string{"sautotc", "spc"}, []string{"sinogerman"}, "ACTIVE"},
	{"INTERNATIONAL_COOPERATION", "Sino-German Intelligent Manufacturing Training Cooperation", "中德智能制造培训合作项目",
		"Shared training standards and trainer exchange between German-invested firms and local colleges.",
		"sinogerman", []string{"rheinfeld", "sut", "lemvtc"}, nil, "ACTIVE"},
	{"INTERNATIONAL_COOPERATION", "Dual-System Industrial Mechanic Training to German Standards", "德国标准工业机械工双元制培训项目",
		"Three-year industrial mechanic training following the German dual system.",
		"rheinfeld", []string{"stc"}, []string{"sinogerman"}, "ACTIVE"},
	{"INNOVATION_VENTURE", "Industrial Robot Application Innovation Studio", "工业机器人应用创新工作室",
		"Student teams develop robot applications for local manufacturers with SIASUN engineers.",
		"siasun", []string{"slu", "sut"}, nil, "ACTIVE"},
	{"INNOVATION_VENTURE", "Software Talent Innovation and Entrepreneurship Incubator", "软件人才创新创业孵化器",
		"Incubator for student software start-ups with Neusoft mentors.",
		"neusoft", []string{"northsoft"}, []string{"hunnan"}, "ACTIVE"},
	{"INNOVATION_VENTURE", "Smart Grid Equipment Innovation Venture", "智能电网装备创新创业项目",
		"Joint venture lab for transformer monitoring and smart grid equipment.",
		"tbea", []string{"sie"}, nil, "ACTIVE"},
}

// Job training centres: operator, linked members and the skills they train.
type centerSpec struct {
	key, en, zh, desc string
	operator          string
	links             []string
	skills            []string
	established       [3]int
}

var centerSpecs = []centerSpec{
	{"public", "Shenyang Public Vocational Skills Training Base", "沈阳市公共职业技能实训基地",
		"Public training base of the human resources bureau offering subsidised skills training and certification.",
		"hrss", []string{"spc", "stc", "lemvtc", "edu", "txhrss", "smtcl", "sbw"}, []string{"MFG.CNC", "MFG.WELD", "AUT.ELEC", "AUT.PLC", "GEN.SAFE"}, [3]int{2024, 8, 17}},
	{"dual", "Sino-German Dual Vocational Training Centre", "中德双元制职业培训中心",
		"Dual (school and workplace) training to German standards for firms in the Sino-German park.",
		"sinogerman", []string{"bba", "rheinfeld", "auerbach", "steinmetz", "sautotc", "stc", "lemvtc"}, []string{"AUT.MECH", "AUTO.ASSY", "MFG.FIT", "AUT.PLC", "GEN.DE"}, [3]int{2024, 8, 17}},
	{"tiexi", "Tiexi Equipment Manufacturing Skills Training Centre", "铁西装备制造技能实训中心",
		"Machining, fitting and welding training for Tiexi's equipment makers.",
		"lemvtc", []string{"smtcl", "sbw", "nhi", "turbo", "semes", "txhrss"}, []string{"MFG.CNC", "MFG.FIT", "MFG.WELD", "MFG.QC", "MFG.CAD"}, [3]int{2024, 9, 20}},
	{"digital", "Hunnan Digital Skills Training Centre", "浑南数字技能实训中心",
		"Software, data and AI skills for the Hunnan software cluster.",
		"neusoft", []string{"northsoft", "sies", "software", "miit", "slu"}, []string{"DIG.SWT", "DIG.DEV", "DIG.DATA", "DIG.NET", "DIG.AI"}, [3]int{2024, 10, 15}},
	{"robot", "Industrial Robot Application Training Centre", "工业机器人应用实训中心",
		"Robot operation, programming and vision training on SIASUN equipment.",
		"siasun", []string{"slu", "sut", "srobtc", "hunnan"}, []string{"AUT.ROBOT", "AUT.VIS", "AUT.PLC", "AUT.MECH"}, [3]int{2024, 11, 8}},
	{"aviation", "Aviation Manufacturing Skills Training Centre", "航空制造技能实训中心",
		"Riveting, composites and engine assembly training for the aviation industry.",
		"sau", []string{"sac", "liming", "savtc", "saviatc", "aviation"}, []string{"AERO.RIVET", "AERO.COMP", "AERO.ENG", "AERO.MRO", "MFG.QC"}, [3]int{2024, 12, 6}},
	{"auto", "Automotive Manufacturing and NEV Training Centre", "汽车制造与新能源汽车实训中心",
		"Vehicle assembly, painting and new-energy vehicle service training.",
		"sautotc", []string{"bba", "michelin", "wendel", "saes", "shenbei"}, []string{"AUTO.ASSY", "AUTO.PAINT", "AUTO.NEV", "AUTO.BODY", "AUT.ROBOT"}, [3]int{2025, 1, 10}},
	{"energy", "Smart Energy Skills Training Centre", "智慧能源技能实训中心",
		"Grid, photovoltaic and HVAC training.",
		"sie", []string{"tbea", "sgcc", "snevtc", "septc"}, []string{"ENE.GRID", "ENE.PV", "ENE.HVAC", "AUT.ELEC"}, [3]int{2025, 3, 18}},
	{"construction", "Construction Skills Training Centre", "建筑技能实训中心",
		"BIM, surveying and steel structure training.",
		"sjzu", []string{"lucstc", "yuanda", "sctc", "sucms"}, []string{"CON.BIM", "CON.SURV", "CON.STEEL", "MFG.WELD"}, [3]int{2025, 4, 22}},
	{"services", "Modern Services and Logistics Training Centre", "现代服务与物流实训中心",
		"Logistics, e-commerce, elderly care and cooking training.",
		"lmsvtc", []string{"sts", "scoms", "ostwald", "lvcm", "hrss"}, []string{"SRV.LOG", "SRV.ECOM", "SRV.CARE", "SRV.COOK"}, [3]int{2025, 6, 3}},
}

var facilityNoun = map[string][2]string{
	"MANUFACTURING": {"Training Workshop", "实训车间"},
	"AUTOMATION":    {"Training Lab", "实训室"},
	"DIGITAL":       {"Computer Lab", "实训机房"},
	"AUTOMOTIVE":    {"Training Workshop", "实训车间"},
	"AEROSPACE":     {"Training Hangar", "实训机库"},
	"ENERGY":        {"Training Station", "实训站"},
	"CONSTRUCTION":  {"Training Yard", "实训场"},
	"SERVICE":       {"Simulation Centre", "模拟实训中心"},
	"GENERAL":       {"Training Room", "实训室"},
}

// Base monthly salary (CNY) of a mid-level job by skill category.
var categorySalary = map[string]int{
	"MANUFACTURING": 5800, "AUTOMATION": 6800, "DIGITAL": 8200, "AUTOMOTIVE": 6900, "AEROSPACE": 7200,
	"ENERGY": 6600, "CONSTRUCTION": 6200, "SERVICE": 4600, "GENERAL": 5600,
}

// National vocational skill levels, 1 (basic) to 5 (expert).
var levelNames = [5][2]string{
	{"Foundation", "初级工"}, {"Intermediate", "中级工"}, {"Advanced", "高级工"}, {"Technician", "技师"}, {"Senior Technician", "高级技师"},
}

var awardNames = map[string][2]string{
	"GOLD": {"Gold Medal", "金奖"}, "SILVER": {"Silver Medal", "银奖"}, "BRONZE": {"Bronze Medal", "铜奖"},
	"EXCELLENCE": {"Medallion for Excellence", "优胜奖"}, "PARTICIPATION": {"Participation", "参赛奖"},
}

// Teacher titles by where they teach.
var teacherTitles = map[string][][2]string{
	"UNIVERSITY":                  {{"Professor", "教授"}, {"Associate Professor", "副教授"}, {"Lecturer", "讲师"}},
	"HIGHER_VOCATIONAL_COLLEGE":   {{"Professor", "教授"}, {"Associate Professor", "副教授"}, {"Lecturer", "讲师"}, {"Teaching Assistant", "助教"}},
	"TECHNICIAN_COLLEGE":          {{"Senior Lecturer", "高级讲师"}, {"Lecturer", "讲师"}, {"Senior Practical Instructor", "高级实习指导教师"}, {"Practical Instructor", "实习指导教师"}},
	"SECONDARY_VOCATIONAL_SCHOOL": {{"Senior Teacher", "高级教师"}, {"Teacher", "一级教师"}, {"Practical Instructor", "实习指导教师"}},
	"COMPANY":                     {{"Chief Technician", "首席技师"}, {"Senior Technician", "高级技师"}, {"Senior Engineer", "高级工程师"}, {"Enterprise Mentor", "企业导师"}},
}

// Common Chinese surnames (most frequent first; 佟, 关 and 那 are frequent in Liaoning)
// and given names, romanised in pinyin without tone marks.
var surnames = [][2]string{
	{"Wang", "王"}, {"Li", "李"}, {"Zhang", "张"}, {"Liu", "刘"}, {"Chen", "陈"}, {"Yang", "杨"}, {"Zhao", "赵"}, {"Sun", "孙"},
	{"Zhou", "周"}, {"Wu", "吴"}, {"Xu", "徐"}, {"Yu", "于"}, {"Huang", "黄"}, {"Gao", "高"}, {"Ma", "马"}, {"Zhu", "朱"},
	{"Hu", "胡"}, {"Guo", "郭"}, {"He", "何"}, {"Lin", "林"}, {"Luo", "罗"}, {"Liang", "梁"}, {"Song", "宋"}, {"Zheng", "郑"},
	{"Xie", "谢"}, {"Han", "韩"}, {"Tang", "唐"}, {"Feng", "冯"}, {"Dong", "董"}, {"Xiao", "肖"}, {"Cheng", "程"}, {"Cao", "曹"},
	{"Yuan", "袁"}, {"Deng", "邓"}, {"Fu", "付"}, {"Shen", "沈"}, {"Zeng", "曾"}, {"Peng", "彭"}, {"Lyu", "吕"}, {"Su", "苏"},
	{"Lu", "卢"}, {"Jiang", "蒋"}, {"Cai", "蔡"}, {"Jia", "贾"}, {"Ding", "丁"}, {"Wei", "魏"}, {"Xue", "薛"}, {"Ye", "叶"},
	{"Yan", "阎"}, {"Pan", "潘"}, {"Du", "杜"}, {"Dai", "戴"}, {"Xia", "夏"}, {"Zhong", "钟"}, {"Tian", "田"}, {"Ren", "任"},
	{"Jiang", "姜"}, {"Fan", "范"}, {"Fang", "方"}, {"Shi", "石"}, {"Yao", "姚"}, {"Tan", "谭"}, {"Zou", "邹"}, {"Xiong", "熊"},
	{"Jin", "金"}, {"Hao", "郝"}, {"Kong", "孔"}, {"Bai", "白"}, {"Cui", "崔"}, {"Kang", "康"}, {"Mao", "毛"}, {"Qiu", "邱"},
	{"Qin", "秦"}, {"Gu", "顾"}, {"Hou", "侯"}, {"Shao", "邵"}, {"Meng", "孟"}, {"Wan", "万"}, {"Duan", "段"}, {"Qian", "钱"},
	{"Yin", "尹"}, {"Chang", "常"}, {"Qiao", "乔"}, {"Gong", "龚"}, {"Wen", "文"}, {"Tong", "佟"}, {"Guan", "关"}, {"Na", "那"},
}

var givenNames = [][2]string{
	{"Wei", "伟"}, {"Fang", "芳"}, {"Na", "娜"}, {"Min", "敏"}, {"Jing", "静"}, {"Li", "丽"}, {"Qiang", "强"}, {"Lei", "磊"},
	{"Jun", "军"}, {"Yang", "洋"}, {"Yong", "勇"}, {"Yan", "艳"}, {"Jie", "杰"}, {"Juan", "娟"}, {"Tao", "涛"}, {"Ming", "明"},
	{"Chao", "超"}, {"Xia", "霞"}, {"Ping", "平"}, {"Gang", "刚"}, {"Hui", "慧"}, {"Xin", "鑫"}, {"Bin", "斌"}, {"Hao", "浩"},
	{"Kai", "凯"}, {"Peng", "鹏"}, {"Dan", "丹"}, {"Ting", "婷"}, {"Xue", "雪"}, {"Lin", "琳"}, {"Long", "龙"}, {"Bo", "波"},
	{"Hua", "华"}, {"Hong", "红"}, {"Jian", "健"}, {"Ning", "宁"}, {"Shuang", "爽"}, {"Yu", "宇"}, {"Xu", "旭"}, {"Chen", "晨"},
	{"Rui", "瑞"}, {"Yue", "悦"}, {"Zhe", "哲"}, {"Lu", "璐"}, {"Qian", "倩"}, {"Di", "迪"}, {"Haoran", "浩然"}, {"Zihan", "子涵"},
	{"Yuxuan", "宇轩"}, {"Xinyi", "欣怡"}, {"Jiahao", "家豪"}, {"Zhiqiang", "志强"}, {"Jianguo", "建国"}, {"Guoqiang", "国强"}, {"Haoyu", "浩宇"}, {"Junjie", "俊杰"},
	{"Yutong", "雨桐"}, {"Ruoxi", "若曦"}, {"Siyu", "思雨"}, {"Zimo", "子墨"}, {"Mingyu", "明宇"}, {"Wenjing", "文静"}, {"Xiaoyu", "晓宇"}, {"Chunyan", "春燕"},
	{"Hongmei", "红梅"}, {"Yichen", "一辰"}, {"Zhiyuan", "志远"}, {"Tianyu", "天宇"}, {"Jiaxin", "佳欣"}, {"Shuhan", "书涵"}, {"Yiming", "一鸣"}, {"Kaiwen", "凯文"},
	{"Zhengyang", "正阳"}, {"Haotian", "浩天"}, {"Xinyu", "欣雨"}, {"Mengqi", "梦琪"}, {"Yifan", "一帆"}, {"Zhihao", "志豪"}, {"Jiaqi", "佳琪"}, {"Hongwei", "宏伟"},
	{"Lijuan", "丽娟"}, {"Dawei", "大伟"}, {"Xiaolong", "小龙"}, {"Wenbo", "文博"}, {"Shuai", "帅"}, {"Yuhang", "宇航"}, {"Zixuan", "梓萱"}, {"Ziyi", "子怡"},
}

// The skills each major teaches: a talent's skills start from its major.
var majorSkills = map[string][]string{
	"CNC Technology":                                   {"MFG.CNC", "MFG.CAD"},
	"Mechanical Design and Manufacturing":              {"MFG.CAD", "MFG.FIT", "MFG.CNC"},
	"Mould Design and Manufacturing":                   {"MFG.CAD", "MFG.CNC"},
	"Welding Technology":                               {"MFG.WELD", "MFG.QC"},
	"Mechatronics Technology":                          {"AUT.MECH", "AUT.ELEC", "AUT.PLC"},
	"Intelligent Manufacturing Equipment Technology":   {"AUT.ROBOT", "AUT.PLC", "MFG.CNC"},
	"Industrial Product Quality Inspection":            {"MFG.QC"},
	"Automotive Manufacturing and Testing Technology":  {"AUTO.ASSY", "MFG.QC"},
	"New Energy Vehicle Technology":                    {"AUTO.NEV", "AUT.ELEC"},
	"Automotive Inspection and Maintenance Technology": {"AUTO.ASSY", "AUTO.NEV"},
	"Automotive Body Repair Technology":                {"AUTO.BODY", "AUTO.PAINT"},
	"Automotive Electronics Technology":                {"AUT.ELEC", "AUTO.NEV"},
	"Aircraft Manufacturing Technology":                {"AERO.RIVET", "AERO.COMP"},
	"Aircraft Electromechanical Equipment Maintenance": {"AERO.MRO", "AUT.ELEC"},
	"Aero-Engine Manufacturing Technology":             {"AERO.ENG", "MFG.CNC"},
	"Composite Materials Technology":                   {"AERO.COMP"},
	"Unmanned Aerial Vehicle Application Technology":   {"AERO.MRO", "AUT.ELEC"},
	"Software Technology":                              {"DIG.DEV", "DIG.SWT"},
	"Big Data Technology":                              {"DIG.DATA"},
	"Cloud Computing Technology Application":           {"DIG.NET", "DIG.DEV"},
	"Computer Network Technology":                      {"DIG.NET"},
	"Artificial Intelligence Technology Application":   {"DIG.AI", "DIG.DATA"},
	"Industrial Internet Technology":                   {"AUT.IIOT", "DIG.NET"},
	"Industrial Robot Technology":                      {"AUT.ROBOT", "AUT.PLC"},
	"Electrical Automation Technology":                 {"AUT.ELEC", "AUT.PLC"},
	"Intelligent Control Technology":                   {"AUT.PLC", "AUT.MECH"},
	"Machine Vision Technology":                        {"AUT.VIS"},
	"Construction Engineering Technology":              {"CON.STEEL", "CON.SURV"},
	"Building Information Modelling":                   {"CON.BIM"},
	"Engineering Surveying Technology":                 {"CON.SURV"},
	"Steel Structure Construction":                     {"CON.STEEL", "MFG.WELD"},
	"Project Cost Management":                          {"CON.BIM"},
	"Power System Automation Technology":               {"ENE.GRID", "AUT.PLC"},
	"Photovoltaic Engineering Technology":              {"ENE.PV"},
	"Power Plant Thermal Equipment":                    {"ENE.GRID", "ENE.HVAC"},
	"Refrigeration and Air-Conditioning Technology":    {"ENE.HVAC"},
	"Applied Chemical Technology":                      {"MFG.CHEM"},
	"Petrochemical Technology":                         {"MFG.CHEM"},
	"Polymer Materials Engineering":                    {"AERO.COMP", "MFG.CHEM"},
	"Industrial Analysis Technology":                   {"MFG.QC", "MFG.CHEM"},
	"Safety Technology and Management":                 {"GEN.SAFE"},
	"Pharmaceutical Production Technology":             {"MFG.PHARM"},
	"Medical Device Maintenance":                       {"AUT.ELEC", "MFG.QC"},
	"Drug Quality and Safety":                          {"MFG.QC", "MFG.PHARM"},
	"Nursing":                                          {"SRV.CARE"},
	"Elderly Care Services and Management":             {"SRV.CARE"},
	"Modern Logistics Management":                      {"SRV.LOG"},
	"E-commerce":                                       {"SRV.ECOM"},
	"Hotel Management":                                 {"SRV.COOK", "SRV.ECOM"},
	"Chinese Cuisine":                                  {"SRV.COOK"},
	"Tourism Management":                               {"SRV.ECOM"},
	"Mechanical Engineering":                           {"MFG.CAD", "MFG.CNC"},
	"Electrical Engineering and Automation":            {"AUT.ELEC", "AUT.PLC"},
	"Computer Science and Technology":                  {"DIG.DEV", "DIG.DATA"},
	"Materials Science and Engineering":                {"AERO.COMP", "MFG.QC"},
	"Automation":                                       {"AUT.PLC", "AUT.ROBOT"},
	"Civil Engineering":                                {"CON.SURV", "CON.STEEL"},
	"Industrial Design":                                {"MFG.CAD"},
}

// The labour market the demo tells, per skill: the alliance exists because Shenyang's
// key industries are short of high-skill workers while schools keep training for
// crowded trades. Short skills are in demand at advanced levels, taught by few courses
// and those only to basic levels; for some there is no course at all. Crowded skills
// fill schools and courses but few openings. Skills not listed are balanced.
type market int

const (
	balanced market = iota
	short
	crowded
)

var skillMarket = map[string]market{
	"AUT.ROBOT": short, "MFG.CNC": short, "AUTO.NEV": short, "AERO.MRO": short,
	"AUT.IIOT": short, "AERO.ENG": short, "AUT.VIS": short, "MFG.WELD": short, "AUT.MECH": short,
	"SRV.ECOM": crowded, "DIG.SWT": crowded, "SRV.LOG": crowded, "SRV.COOK": crowded, "CON.SURV": crowded,
	"DIG.DEV": crowded, "MFG.FIT": crowded, "CON.BIM": crowded,
}

// untaught are the shortages no course of the alliance teaches yet: the curriculum gap
// the alliance has to close.
var untaught = map[string]bool{"AUT.IIOT": true, "AERO.ENG": true, "AUT.VIS": true}

// Recurring skills competitions: each year's edition runs for days days and announces
// its results on the last, the day given (month, day); the first edition the alliance
// took part in is from. Members register talents until deadline days before the
// contest starts (0: the alliance takes no registrations, entrants are chosen
// elsewhere). The skills are those contested besides the ones results are recorded in:
// the shortages the region's industry names (industrial IoT, machine vision,
// aero-engine assembly) are contested now, while no course of the alliance teaches them.
type competitionSeries struct {
	en, zh, level    string
	month, day       int
	from, every      int // first year, and every how many years
	count            int // results per scale unit and edition
	days             int
	venueEn, venueZh string
	organizer        string // key of the member agency organizing it, "" for none
	deadline         int
	skills           []string
}

var competitionSeriesSpecs = []competitionSeries{
	{"WorldSkills Competition", "世界技能大赛", "WORLD", 9, 15, 2024, 2, 2, 6,
		"Shanghai National Convention and Exhibition Center", "国家会展中心（上海）", "", 0,
		[]string{"MFG.CNC", "MFG.WELD", "AUT.MECH", "AUT.ROBOT", "AUT.IIOT"}},
	{"National Vocational College Skills Competition", "全国职业院校技能大赛", "NATIONAL", 7, 18, 2025, 1, 6, 5,
		"Tianjin Vocational Education Park", "天津海河教育园区", "", 60,
		[]string{"MFG.CNC", "AUT.PLC", "AUT.VIS", "DIG.DATA", "AUTO.NEV"}},
	{"Liaoning Provincial Vocational Skills Competition", "辽宁省职业技能大赛", "PROVINCIAL", 10, 30, 2024, 1, 8, 4,
		"Liaoning Industrial Exhibition Hall, Shenyang", "辽宁工业展览馆（沈阳）", "lnhrss", 45,
		[]string{"MFG.CNC", "MFG.WELD", "AERO.ENG", "AERO.RIVET", "ENE.GRID"}},
	{"Liaoning Vocational College Skills Competition", "辽宁省职业院校技能大赛", "PROVINCIAL", 4, 25, 2025, 1, 8, 3,
		"Liaoning Equipment Manufacturing Vocational and Technical College", "辽宁装备制造职业技术学院", "", 40,
		[]string{"AUT.ROBOT", "AUT.PLC", "DIG.NET", "MFG.CAD"}},
	{"Shenyang City Skills Competition", "沈阳市职业技能大赛", "CITY", 9, 26, 2024, 1, 14, 3,
		"Shenyang International Exhibition Center", "沈阳国际展览中心", "hrss", 30,
		[]string{"MFG.CNC", "MFG.WELD", "AUT.ROBOT", "AUT.IIOT", "AUTO.NEV", "SRV.COOK"}},
}
