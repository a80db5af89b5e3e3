-- Common wordings per checklist item (JSON arrays, Chinese and English), offered as taps when
-- an item answered 发现问题 becomes a hazard: an older volunteer in the rain types less.
ALTER TABLE checklist_item ADD COLUMN phrases_zh TEXT NOT NULL DEFAULT '[]';
ALTER TABLE checklist_item ADD COLUMN phrases_en TEXT NOT NULL DEFAULT '[]';

UPDATE checklist_item SET phrases_zh = '["聚众赌博","涉黄场所"]', phrases_en = '["Gambling","Sex trade"]' WHERE version = 1 AND code = 'PO-01';
UPDATE checklist_item SET phrases_zh = '["未实名登记","未成年人入住未登记"]', phrases_en = '["Guests not registered by ID","Minor checked in unrecorded"]' WHERE version = 1 AND code = 'PO-02';
UPDATE checklist_item SET phrases_zh = '["出租房未备案","群租"]', phrases_en = '["Rental not registered","Overcrowded rental"]' WHERE version = 1 AND code = 'PO-03';
UPDATE checklist_item SET phrases_zh = '["流动人口未登记"]', phrases_en = '["Newcomers not registered"]' WHERE version = 1 AND code = 'PO-04';
UPDATE checklist_item SET phrases_zh = '["校门未封闭","保安不在岗"]', phrases_en = '["School gate open","No guard on duty"]' WHERE version = 1 AND code = 'PO-05';
UPDATE checklist_item SET phrases_zh = '["重点人员失联","管控不到位"]', phrases_en = '["Person of concern unreachable","Not followed up"]' WHERE version = 1 AND code = 'PO-06';
UPDATE checklist_item SET phrases_zh = '["三轮车超载","两轮车载人超员"]', phrases_en = '["Overloaded tricycle","Too many riders on a motorbike"]' WHERE version = 1 AND code = 'PO-07';
UPDATE checklist_item SET phrases_zh = '["可疑人员","可疑车辆","可疑物品"]', phrases_en = '["Suspicious person","Suspicious vehicle","Suspicious item"]' WHERE version = 1 AND code = 'PO-08';
UPDATE checklist_item SET phrases_zh = '["电缆被盗","变压器被盗","牲畜被盗"]', phrases_en = '["Cable stolen","Transformer stolen","Livestock stolen"]' WHERE version = 1 AND code = 'PO-09';
UPDATE checklist_item SET phrases_zh = '["通道堵塞","安全出口上锁","杂物堆放"]', phrases_en = '["Passage blocked","Emergency exit locked","Clutter piled up"]' WHERE version = 1 AND code = 'WS-01';
UPDATE checklist_item SET phrases_zh = '["无证上岗"]', phrases_en = '["Working without a licence"]' WHERE version = 1 AND code = 'WS-02';
UPDATE checklist_item SET phrases_zh = '["住人与生产经营在一起"]', phrases_en = '["People sleep where goods are made or sold"]' WHERE version = 1 AND code = 'WS-03';
UPDATE checklist_item SET phrases_zh = '["楼道内充电","电动车停放在安全出口"]', phrases_en = '["Charging in the stairwell","E-bikes parked at the exit"]' WHERE version = 1 AND code = 'WS-04';
UPDATE checklist_item SET phrases_zh = '["消火栓被遮挡","消火栓无水"]', phrases_en = '["Hydrant blocked","Hydrant without water"]' WHERE version = 1 AND code = 'WS-05';
UPDATE checklist_item SET phrases_zh = '["灭火器过期","未按月检查"]', phrases_en = '["Extinguisher expired","Not checked monthly"]' WHERE version = 1 AND code = 'WS-06';
UPDATE checklist_item SET phrases_zh = '["液化气瓶无防护","电线老化"]', phrases_en = '["Gas cylinder unprotected","Old wiring"]' WHERE version = 1 AND code = 'WS-07';
UPDATE checklist_item SET phrases_zh = '["危化品存放不当","施工无防护"]', phrases_en = '["Chemicals stored unsafely","Building site unguarded"]' WHERE version = 1 AND code = 'WS-08';
UPDATE checklist_item SET phrases_zh = '["电线老化","私拉乱接电线"]', phrases_en = '["Old wiring","Improvised wiring"]' WHERE version = 1 AND code = 'FS-01';
UPDATE checklist_item SET phrases_zh = '["隐患未整改"]', phrases_en = '["Hazard not put right"]' WHERE version = 1 AND code = 'FS-02';
UPDATE checklist_item SET phrases_zh = '["消防通道堵塞","无消防设施"]', phrases_en = '["Fire lane blocked","No firefighting equipment"]' WHERE version = 1 AND code = 'FS-03';
UPDATE checklist_item SET phrases_zh = '["楼道杂物堆放","电线老化"]', phrases_en = '["Clutter in the stairwell","Old wiring"]' WHERE version = 1 AND code = 'FS-04';
UPDATE checklist_item SET phrases_zh = '["用火用电不安全","无烟感报警器"]', phrases_en = '["Unsafe fire or power use","No smoke alarm"]' WHERE version = 1 AND code = 'FS-05';
UPDATE checklist_item SET phrases_zh = '["取暖设备不安全","电线老化"]', phrases_en = '["Unsafe heater","Old wiring"]' WHERE version = 1 AND code = 'FS-06';
UPDATE checklist_item SET phrases_zh = '["无灭火器","住人与经营在一起"]', phrases_en = '["No extinguisher","People sleep in the shop"]' WHERE version = 1 AND code = 'FS-07';
