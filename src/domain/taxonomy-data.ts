/**
 * The hub's canonical three-level category tree (level 1 > level 2 > leaf). Ids are stable: malls
 * select categories by id. Each node lists the other names suppliers file the same goods under
 * (JD and Taobao trees, trade names), which the matcher uses; extend them when a supplier's new
 * category shows up as unmapped.
 */
export interface CategoryNode {
  id: string;
  level: 1 | 2 | 3;
  parentId: string | null;
  name: string;
  en: string;
  aliases: readonly string[];
  /** Leaves only: the kind of item filed under it. */
  kind?: 'physical' | 'virtual' | 'service';
}

const l1 = (id: string, name: string, en: string, aliases: string[]): CategoryNode => ({ id, level: 1, parentId: null, name, en, aliases });
const l2 = (id: string, parentId: string, name: string, en: string, aliases: string[]): CategoryNode => ({ id, level: 2, parentId, name, en, aliases });
const l3 = (id: string, parentId: string, name: string, en: string, aliases: string[], kind: 'physical' | 'virtual' | 'service' = 'physical'): CategoryNode => ({
  id, level: 3, parentId, name, en, aliases, kind,
});

/** Every node of the canonical taxonomy, parents before children. */
export const TAXONOMY: readonly CategoryNode[] = [
  // Level 1: id, name, English name, other names suppliers use for the same top level.
  l1('home-appliances', '家用电器', 'Home Appliances', ['大家电', '厨房电器', '生活电器', '个人护理']),
  l1('phones-and-digital', '手机数码', 'Phones & Digital', ['手机通讯', '手机', '3C数码配件', '数码', '智能设备', '影音电器', '数码相机/摄像机']),
  l1('computers-and-office', '电脑办公', 'Computers & Office', ['电脑、办公', '笔记本电脑', '电脑周边', '办公设备/耗材']),
  l1('kitchenware', '厨具', 'Kitchenware', ['厨房/烹饪用具', '餐饮具']),
  l1('home-textiles', '家居家纺', 'Home Textiles', ['家纺', '床上用品']),
  l1('beauty', '美妆个护', 'Beauty', ['美妆护肤', '美容护肤', '个人护理', '洗护清洁']),
  l1('sports-and-outdoor', '运动户外', 'Sports & Outdoor', ['运动鞋new', '运动服/休闲服装', '户外/登山/野营']),
  l1('food-and-drinks', '食品饮料', 'Food & Drinks', ['零食/坚果/特产', '酒类', '茶叶', '茶', '咖啡/麦片/冲饮', '生鲜', '粮油米面/调味品']),
  l1('mother-and-baby', '母婴', 'Mother & Baby', ['奶粉/辅食/营养品', '尿片/洗护/喂哺']),
  l1('bags-and-luggage', '箱包', 'Bags & Luggage', ['礼品箱包', '箱包皮具']),
  l1('local-services', '生活服务', 'Local Services', ['医疗保健', '本地化生活服务', '汽车用品', '汽车服务']),
  // Level 2: id, parent, name, English name, other names.
  l2('large-appliance', 'home-appliances', '大家电', 'Large Appliances', []),
  l2('kitchen-appliance', 'home-appliances', '厨房小电', 'Kitchen Appliances', ['厨房小家电']),
  l2('living-appliance', 'home-appliances', '生活电器', 'Household Appliances', ['生活家电']),
  l2('personal-care-appliance', 'home-appliances', '个护健康', 'Personal Care', ['个护电器']),
  l2('phones', 'phones-and-digital', '手机', 'Phones', []),
  l2('phone-accessory', 'phones-and-digital', '手机配件', 'Phone Accessories', []),
  l2('smart-device', 'phones-and-digital', '智能设备', 'Smart Devices', ['智能穿戴']),
  l2('audio', 'phones-and-digital', '影音娱乐', 'Audio', ['耳机/音箱']),
  l2('camera', 'phones-and-digital', '摄影摄像', 'Cameras', ['摄像机']),
  l2('computer', 'computers-and-office', '电脑整机', 'Computers', []),
  l2('peripheral', 'computers-and-office', '外设产品', 'Peripherals', ['电脑外设']),
  l2('office', 'computers-and-office', '办公设备', 'Office Equipment', []),
  l2('cookware', 'kitchenware', '烹饪锅具', 'Cookware', ['锅具']),
  l2('drinkware', 'kitchenware', '水具酒具', 'Drinkware', ['水杯']),
  l2('knives', 'kitchenware', '刀剪菜板', 'Knives', ['刀具']),
  l2('bedding', 'home-textiles', '床上用品', 'Bedding', ['床品']),
  l2('skincare', 'beauty', '面部护肤', 'Skincare', ['面部护理']),
  l2('haircare', 'beauty', '洗发护发', 'Hair Care', []),
  l2('sports-shoes', 'sports-and-outdoor', '运动鞋', 'Sports Shoes', ['运动鞋包']),
  l2('sportswear', 'sports-and-outdoor', '运动服饰', 'Sportswear', ['运动服']),
  l2('outdoor', 'sports-and-outdoor', '户外装备', 'Outdoor Gear', []),
  l2('snacks', 'food-and-drinks', '休闲零食', 'Snacks', ['休闲食品']),
  l2('liquor', 'food-and-drinks', '酒类', 'Alcohol', ['白酒/葡萄酒', '酒水']),
  l2('tea', 'food-and-drinks', '茗茶', 'Tea', ['茶叶']),
  l2('drinks', 'food-and-drinks', '冲调饮品', 'Beverages', ['饮料冲调']),
  l2('grocery', 'food-and-drinks', '粮油调味', 'Grocery', ['粮油']),
  l2('baby-food', 'mother-and-baby', '奶粉', 'Formula', ['婴幼儿奶粉']),
  l2('baby-care', 'mother-and-baby', '尿裤湿巾', 'Diapers', ['纸尿裤']),
  l2('luggage', 'bags-and-luggage', '功能箱包', 'Luggage', ['旅行箱包']),
  l2('health-service', 'local-services', '医疗健康', 'Health Services', ['健康服务']),
  l2('car-service', 'local-services', '汽车服务', 'Car Services', ['养车服务']),
  // Level 3 (leaves): id, parent, name, English name, other names.
  l3('fridge', 'large-appliance', '冰箱', 'Refrigerators', []),
  l3('washer', 'large-appliance', '洗衣机', 'Washing Machines', []),
  l3('aircon', 'large-appliance', '空调', 'Air Conditioners', ['空调挂机/柜机']),
  l3('tv', 'large-appliance', '平板电视', 'Televisions', ['电视']),
  l3('rice-cooker', 'kitchen-appliance', '电饭煲', 'Rice Cookers', ['电饭锅']),
  l3('soymilk', 'kitchen-appliance', '豆浆机', 'Soymilk Makers', []),
  l3('blender', 'kitchen-appliance', '破壁机', 'Blenders', ['破壁料理机']),
  l3('pressure-cooker', 'kitchen-appliance', '电压力锅', 'Pressure Cookers', []),
  l3('air-fryer', 'kitchen-appliance', '空气炸锅', 'Air Fryers', []),
  l3('vacuum', 'living-appliance', '吸尘器', 'Vacuum Cleaners', []),
  l3('fan', 'living-appliance', '电风扇', 'Fans', ['风扇']),
  l3('purifier', 'living-appliance', '空气净化器', 'Air Purifiers', []),
  l3('humidifier', 'living-appliance', '加湿器', 'Humidifiers', []),
  l3('hair-dryer', 'living-appliance', '电吹风', 'Hair Dryers', ['电吹风机']),
  l3('shaver', 'personal-care-appliance', '剃须刀', 'Shavers', ['电动剃须刀']),
  l3('toothbrush', 'personal-care-appliance', '电动牙刷', 'Electric Toothbrushes', []),
  l3('massager', 'personal-care-appliance', '按摩仪', 'Massagers', ['按摩器']),
  l3('smartphone', 'phones', '智能手机', 'Smartphones', ['手机']),
  l3('powerbank', 'phone-accessory', '充电宝', 'Power Banks', ['移动电源']),
  l3('cable', 'phone-accessory', '数据线', 'Cables', []),
  l3('phone-case', 'phone-accessory', '手机壳', 'Phone Cases', ['手机保护套']),
  l3('charger', 'phone-accessory', '充电器', 'Chargers', ['充电头']),
  l3('smartwatch', 'smart-device', '智能手表', 'Smart Watches', []),
  l3('band', 'smart-device', '智能手环', 'Fitness Bands', ['手环']),
  l3('smart-speaker', 'smart-device', '智能音箱', 'Smart Speakers', ['AI音箱']),
  l3('earbuds', 'audio', '蓝牙耳机', 'Earphones', ['无线耳机']),
  l3('speaker', 'audio', '音箱', 'Speakers', ['音箱/音响']),
  l3('action-cam', 'camera', '运动相机', 'Action Cameras', ['运动摄像机']),
  l3('drone', 'camera', '无人机', 'Drones', ['航拍无人机']),
  l3('laptop', 'computer', '笔记本', 'Laptops', ['笔记本电脑']),
  l3('tablet', 'computer', '平板电脑', 'Tablets', ['平板']),
  l3('mouse', 'peripheral', '鼠标', 'Mice', []),
  l3('keyboard', 'peripheral', '键盘', 'Keyboards', ['机械键盘']),
  l3('monitor', 'peripheral', '显示器', 'Monitors', []),
  l3('printer', 'office', '打印机', 'Printers', []),
  l3('wok', 'cookware', '炒锅', 'Woks', []),
  l3('pot', 'cookware', '汤锅', 'Stock Pots', ['汤锅/奶锅']),
  l3('vacuum-cup', 'drinkware', '保温杯', 'Vacuum Flasks', []),
  l3('knife-set', 'knives', '刀具套装', 'Knife Sets', ['刀具']),
  l3('bed-set', 'bedding', '四件套', 'Bedding Sets', ['床品套件']),
  l3('pillow', 'bedding', '枕头', 'Pillows', ['枕芯']),
  l3('cream', 'skincare', '面霜', 'Face Creams', ['乳液/面霜']),
  l3('serum', 'skincare', '精华', 'Serums', ['精华液']),
  l3('cleanser', 'skincare', '洁面', 'Cleansers', ['洗面奶']),
  l3('shampoo', 'haircare', '洗发水', 'Shampoos', ['洗发露']),
  l3('running-shoes', 'sports-shoes', '跑步鞋', 'Running Shoes', []),
  l3('basketball-shoes', 'sports-shoes', '篮球鞋', 'Basketball Shoes', []),
  l3('sports-tee', 'sportswear', '运动T恤', 'Sports T-shirts', ['运动T恤/短袖']),
  l3('sports-pants', 'sportswear', '运动裤', 'Sports Pants', ['运动长裤']),
  l3('tent', 'outdoor', '帐篷', 'Tents', []),
  l3('hiking-pack', 'outdoor', '登山包', 'Hiking Packs', []),
  l3('nuts', 'snacks', '坚果', 'Nuts', ['坚果炒货']),
  l3('jerky', 'snacks', '肉干', 'Jerky', ['肉干/肉脯']),
  l3('biscuits', 'snacks', '饼干糕点', 'Biscuits', ['饼干']),
  l3('baijiu', 'liquor', '白酒', 'Baijiu', []),
  l3('wine', 'liquor', '葡萄酒', 'Wine', ['红酒']),
  l3('green-tea', 'tea', '绿茶', 'Green Tea', []),
  l3('coffee', 'drinks', '咖啡', 'Coffee', []),
  l3('milk', 'drinks', '牛奶', 'Milk', ['牛奶乳品']),
  l3('cooking-oil', 'grocery', '食用油', 'Cooking Oil', []),
  l3('rice', 'grocery', '大米', 'Rice', ['米']),
  l3('formula', 'baby-food', '婴儿奶粉', 'Infant Formula', ['婴幼儿奶粉', '奶粉']),
  l3('diapers', 'baby-care', '纸尿裤', 'Diapers', ['尿裤']),
  l3('suitcase', 'luggage', '拉杆箱', 'Suitcases', ['旅行箱']),
  l3('backpack', 'luggage', '双肩包', 'Backpacks', []),
  l3('checkup', 'health-service', '体检套餐', 'Health Checkups', [], 'service'),
  l3('dental', 'health-service', '洗牙卡', 'Dental Cleaning', ['口腔服务'], 'service'),
  l3('car-wash', 'car-service', '洗车券', 'Car Wash', ['洗车服务'], 'service'),
  l3('car-maintenance', 'car-service', '保养套餐', 'Car Maintenance', [], 'service'),
  // Virtual goods from top-up providers.
  l1('virtual-goods', '虚拟商品', 'Virtual Goods', ['充值卡券']),
  l2('topup', 'virtual-goods', '话费流量', 'Mobile Top-ups', ['话费充值', '流量充值']),
  l2('membership-voucher', 'virtual-goods', '会员卡券', 'Memberships & Vouchers', ['会员直充', '电子卡券']),
  l3('phone-topup', 'topup', '话费充值', 'Phone Credit', ['话费', '手机充值'], 'virtual'),
  l3('data-topup', 'topup', '流量充值', 'Mobile Data', ['流量包', '流量'], 'virtual'),
  l3('video-membership', 'membership-voucher', '视频会员', 'Video Memberships', ['会员直充', '视频会员直充'], 'virtual'),
  l3('voucher', 'membership-voucher', '电子卡券', 'E-vouchers', ['电子券', '代金券', '卡券'], 'virtual'),
];
