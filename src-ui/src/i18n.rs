//! Every string the UI shows, zh-CN first, English second. Views never hold literal text.

use leptos::prelude::*;
use redvest_shared::checklist::CheckDomain;
use redvest_shared::duty::{Assignment, DutyStatus, Post, Zone};
use redvest_shared::hazard::HazardState;
use redvest_shared::observation::Severity;
use redvest_shared::patrol::{PatrolState, Problem};
use redvest_shared::team::Role;
use redvest_shared::track::DropReason;
use redvest_shared::wire::Refusal;
use redvest_shared::{ErrorCode, IpcError};

/// The UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文 (default).
    Zh,
    /// English.
    En,
}

/// The UI's words in one language.
#[allow(missing_docs)]
pub struct Text {
    pub today: &'static str,
    pub start_patrol: &'static str,
    pub starting: &'static str,
    pub loading: &'static str,
    pub patrols_heading: &'static str,
    pub no_patrols: &'static str,
    pub other_lang: &'static str,
    pub duties_heading: &'static str,
    pub no_duties: &'static str,
    pub hazards_heading: &'static str,
    pub no_hazards: &'static str,
    pub overdue: &'static str,
    pub deadline: &'static str,
    /// What an empty date picker says.
    pub pick_date: &'static str,
    /// What an empty time picker says.
    pub pick_time: &'static str,
    pub unsynced: &'static str,
    pub choose_assignment: &'static str,
    pub back: &'static str,
    pub sync_now: &'static str,
    pub enrol_heading: &'static str,
    pub enrol_server: &'static str,
    pub enrol_code: &'static str,
    pub enrol_device: &'static str,
    pub enrol_button: &'static str,
    pub enrol_scan: &'static str,
    pub enrol_scan_hint: &'static str,
    pub team_label: &'static str,
    pub last_success: &'static str,
    pub never: &'static str,
    pub last_error: &'static str,
    pub pending_heading: &'static str,
    pub nothing_pending: &'static str,
    pub recent_heading: &'static str,
    pub alerts_heading: &'static str,
    pub kind_patrol: &'static str,
    pub kind_hazard_event: &'static str,
    pub kind_photo: &'static str,
    pub state_pending: &'static str,
    pub state_sending: &'static str,
    pub state_sent: &'static str,
    pub state_failed: &'static str,
    pub state_conflict: &'static str,
    pub state_superseded: &'static str,
    pub problem_not_enrolled: &'static str,
    pub problem_offline: &'static str,
    pub problem_timeout: &'static str,
    pub problem_server_busy: &'static str,
    pub problem_revoked: &'static str,
    pub problem_unauthorized: &'static str,
    pub problem_protocol: &'static str,
    pub problem_storage: &'static str,
    pub err_enrol_refused: &'static str,
    pub err_county_unreachable: &'static str,
    pub err_insecure_address: &'static str,
    pub take_photo: &'static str,
    pub pick_photos: &'static str,
    pub photos_heading: &'static str,
    pub processing_photos: &'static str,
    pub remove_photo: &'static str,
    pub close: &'static str,
    pub sync: &'static str,
    pub photos_waiting: &'static str,
    pub photo_count_unit: &'static str,
    pub photo_settings_heading: &'static str,
    pub photo_long_edge: &'static str,
    pub photo_quality: &'static str,
    pub photo_thumbnail: &'static str,
    pub err_photo_empty: &'static str,
    pub err_photo_too_large: &'static str,
    pub err_not_an_image: &'static str,
    pub err_photo_format: &'static str,
    pub err_photo_truncated: &'static str,
    pub err_photo_too_many_pixels: &'static str,
    pub idle_after: &'static str,
    pub clock_skew: &'static str,
    pub gap_report: &'static str,
    pub max_gap: &'static str,
    pub max_jump: &'static str,
    pub min_move: &'static str,
    pub max_accuracy: &'static str,
    pub track_settings_heading: &'static str,
    pub location_skipped: &'static str,
    pub location_replay: &'static str,
    pub location_no_answer: &'static str,
    pub location_denied: &'static str,
    pub location_skip: &'static str,
    pub location_allow: &'static str,
    pub location_why: &'static str,
    pub exported_to: &'static str,
    pub export_geojson: &'static str,
    pub export_gpx: &'static str,
    pub dropped_heading: &'static str,
    pub gaps_heading: &'static str,
    pub segments: &'static str,
    pub no_track: &'static str,
    pub waiting_fix: &'static str,
    pub no_fix_warning: &'static str,
    pub accuracy: &'static str,
    pub fixes: &'static str,
    pub elapsed: &'static str,
    pub moving_time: &'static str,
    pub distance: &'static str,
    pub track_heading: &'static str,
    pub awaiting_review: &'static str,
    pub planned: &'static str,
    pub route: &'static str,
    pub start_this: &'static str,
    pub settings: &'static str,
    pub resume: &'static str,
    pub attendance_heading: &'static str,
    pub present: &'static str,
    pub late: &'static str,
    pub absent: &'static str,
    pub reason: &'static str,
    pub add_guest: &'static str,
    pub guest_name: &'static str,
    pub add: &'static str,
    pub no_members: &'static str,
    pub checklist_heading: &'static str,
    pub normal: &'static str,
    pub problem: &'static str,
    pub not_applicable: &'static str,
    pub other_domain: &'static str,
    pub track_details: &'static str,
    pub report_as_hazard: &'static str,
    pub phrases_hint: &'static str,
    pub theme_heading: &'static str,
    pub theme_system: &'static str,
    pub theme_day: &'static str,
    pub theme_night: &'static str,
    pub observations_heading: &'static str,
    pub no_observations: &'static str,
    pub add_hazard: &'static str,
    pub add_dispute: &'static str,
    pub add_sighting: &'static str,
    pub add_visit: &'static str,
    pub add_outreach: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub description: &'static str,
    pub place: &'static str,
    pub settings_open_note: &'static str,
    pub settings_locked_note: &'static str,
    pub unlock_settings: &'static str,
    pub lock_settings: &'static str,
    pub err_settings_locked: &'static str,
    pub use_my_location: &'static str,
    pub spot_label: &'static str,
    pub spot_remove: &'static str,
    pub spot_none: &'static str,
    pub severity: &'static str,
    pub domain: &'static str,
    pub handling: &'static str,
    pub fixed_on_spot: &'static str,
    pub rectify: &'static str,
    pub escalate: &'static str,
    pub responsible: &'static str,
    pub unit: &'static str,
    pub escalate_to: &'static str,
    pub centre: &'static str,
    pub county: &'static str,
    pub summary: &'static str,
    pub handed_to_village: &'static str,
    pub subject: &'static str,
    pub person: &'static str,
    pub vehicle: &'static str,
    pub item: &'static str,
    pub passed_to_police: &'static str,
    pub household: &'static str,
    pub people_met: &'static str,
    pub notes: &'static str,
    pub outreach_kind: &'static str,
    pub leaflets: &'static str,
    pub talk: &'static str,
    pub loudspeaker: &'static str,
    pub audience: &'static str,
    pub finish_heading: &'static str,
    pub steps_label: &'static str,
    pub step_sign: &'static str,
    pub step_sign_hint: &'static str,
    pub step_next: &'static str,
    pub people_unit: &'static str,
    pub findings_unit: &'static str,
    pub remarks: &'static str,
    pub signer: &'static str,
    pub pin: &'static str,
    pub signature_pad: &'static str,
    pub clear: &'static str,
    pub sign_submit: &'static str,
    pub review_heading: &'static str,
    pub countersign: &'static str,
    pub send_back: &'static str,
    pub return_reason: &'static str,
    pub returned_because: &'static str,
    pub signatures: &'static str,
    pub amend: &'static str,
    pub amends: &'static str,
    pub frozen_note: &'static str,
    pub started_at: &'static str,
    pub ended_at: &'static str,
    pub checked_count: &'static str,
    pub present_count: &'static str,
    pub roster_heading: &'static str,
    pub member_name: &'static str,
    pub set_pin: &'static str,
    pub pin_again: &'static str,
    pub pins_differ: &'static str,
    pub has_key: &'static str,
    pub duty_heading: &'static str,
    pub daily: &'static str,
    pub market_days: &'static str,
    pub weekly_non_market: &'static str,
    pub monthly: &'static str,
    pub weekdays: &'static str,
    pub remove: &'static str,
    pub keys_heading: &'static str,
    pub verify: &'static str,
    pub verify_ok: &'static str,
    pub verify_bad: &'static str,
    pub language: &'static str,
    pub hazard_heading: &'static str,
    pub history: &'static str,
    pub change_state: &'static str,
    pub by_member: &'static str,
    pub err_schema_too_new: &'static str,
    pub err_storage: &'static str,
    pub err_data_dir: &'static str,
    pub err_unknown: &'static str,
    pub err_required: &'static str,
    pub err_too_long: &'static str,
    pub err_out_of_range: &'static str,
    pub err_end_before_start: &'static str,
    pub err_no_present: &'static str,
    pub err_pin_format: &'static str,
    pub err_wrong_pin: &'static str,
    pub err_pin_wait: &'static str,
    pub err_pin_locked: &'static str,
    pub pin_locked: &'static str,
    pub lift_pin_lock: &'static str,
    pub lift_pin_lock_hint: &'static str,
    pub lift_pin_lock_no_leader: &'static str,
    pub leader_pin: &'static str,
    pub err_no_key: &'static str,
    pub err_not_allowed: &'static str,
    pub err_wrong_state: &'static str,
    pub err_not_found: &'static str,
    pub err_tampered: &'static str,
    pub kind_key: &'static str,
    pub kind_member: &'static str,
    pub resend: &'static str,
    pub waiting_heading: &'static str,
    pub next_attempt: &'static str,
    pub support_detail: &'static str,
    pub revoked_banner: &'static str,
    pub enrol_again_heading: &'static str,
    pub wait_unknown_key: &'static str,
    pub wait_not_on_roster: &'static str,
    pub wait_not_leader: &'static str,
    pub refusal_unknown: &'static str,
    pub refusal_content_hash: &'static str,
    pub refusal_conflict: &'static str,
    pub refusal_malformed: &'static str,
    pub refusal_unknown_key: &'static str,
    pub refusal_key_revoked: &'static str,
    pub refusal_key_of_other_member: &'static str,
    pub refusal_key_endorsement: &'static str,
    pub refusal_not_on_roster: &'static str,
    pub refusal_not_leader: &'static str,
    pub refusal_signature_invalid: &'static str,
    pub refusal_chain_invalid: &'static str,
    pub refusal_chain_fork: &'static str,
    pub refusal_track_mismatch: &'static str,
    pub refusal_not_team_hazard: &'static str,
    pub pending_confirmation: &'static str,
    pub change_pin: &'static str,
    pub confirm_change_pin: &'static str,
    pub old_pin: &'static str,
    pub new_pin: &'static str,
    pub pin_changed: &'static str,
    pub kind_submission: &'static str,
    pub kind_countersign: &'static str,
    pub kind_return: &'static str,
    pub rapid_button: &'static str,
    pub rapid_choose: &'static str,
    pub rapid_saved: &'static str,
    pub rapid_sent: &'static str,
    pub rapid_waiting: &'static str,
    pub rapid_no_spot: &'static str,
    pub rapid_call_heading: &'static str,
    pub call_110: &'static str,
    pub call_119: &'static str,
    pub call_120: &'static str,
    pub call_leader: &'static str,
    pub rapid_no_leader_phone: &'static str,
    pub rapid_history: &'static str,
    pub kind_rapid: &'static str,
    pub rapid_no_call: &'static str,
    pub rapid_not_enrolled: &'static str,
    pub rapid_refused: &'static str,
    pub refusal_same_signer: &'static str,
    pub refusal_already_decided: &'static str,
    pub refusal_outdated: &'static str,
    pub err_same_signer: &'static str,
    pub err_unknown_signer: &'static str,
    pub err_qr_invalid: &'static str,
    pub reviews_heading: &'static str,
    pub reviews_count: &'static str,
    pub review_page_heading: &'static str,
    pub review_from: &'static str,
    pub review_sealed_here: &'static str,
    pub review_returned_here: &'static str,
    pub review_photos_loading: &'static str,
    pub review_photos_failed: &'static str,
    pub review_no_track: &'static str,
    pub submitted_waiting: &'static str,
    pub show_qr: &'static str,
    pub qr_show_hint: &'static str,
    pub scan: &'static str,
    pub scan_countersign: &'static str,
    pub scan_hint: &'static str,
    pub scan_frames: &'static str,
    pub camera_failed: &'static str,
    pub show_countersign_qr: &'static str,
}

const ZH: Text = Text {
    today: "今日巡查",
    start_patrol: "开始巡查",
    starting: "正在保存…",
    loading: "正在读取…",
    patrols_heading: "巡查记录",
    no_patrols: "还没有巡查记录。按「开始巡查」记录第一次巡查。",
    other_lang: "English",
    duties_heading: "今日勤务",
    no_duties: "今天没有排班。队长可在设置中添加勤务。",
    hazards_heading: "待整改隐患",
    no_hazards: "没有待整改的隐患。",
    overdue: "已逾期",
    deadline: "期限",
    pick_date: "点此选择日期",
    pick_time: "点此选择时间",
    unsynced: "条记录未上传",
    choose_assignment: "选择岗位或区域",
    back: "返回",
    sync_now: "立即同步",
    enrol_heading: "连接县平台",
    enrol_server: "县平台地址",
    enrol_code: "一次性登记码(县里发放)",
    enrol_device: "本机名称",
    enrol_button: "连接",
    enrol_scan: "扫描县平台的二维码",
    enrol_scan_hint: "把摄像头对准县平台“队伍”页面上的登记二维码,地址和登记码会自动填好。",
    team_label: "所属队伍",
    last_success: "上次同步成功",
    never: "从未",
    last_error: "上次同步失败",
    pending_heading: "待上传",
    nothing_pending: "全部已上传",
    recent_heading: "上传记录",
    alerts_heading: "县里提示",
    kind_patrol: "巡查记录",
    kind_hazard_event: "隐患处理记录",
    kind_photo: "照片",
    state_pending: "待上传",
    state_sending: "上传中",
    state_sent: "已上传",
    state_failed: "失败",
    state_conflict: "冲突",
    state_superseded: "无需上传",
    problem_not_enrolled: "本机还没有连接县平台,请先用登记码连接",
    problem_offline: "没有网络或连不上县平台,有信号后会自动重试",
    problem_timeout: "县平台长时间没有回应,稍后自动重试",
    problem_server_busy: "县平台繁忙或出错,稍后自动重试",
    problem_revoked: "本机已被县里停用,请联系县综治中心重新登记",
    problem_unauthorized: "县平台不认识本机,请重新登记",
    problem_protocol: "县平台的回应无法识别,请更新应用",
    problem_storage: "本机存储出错",
    err_enrol_refused: "登记码无效、已用过或已过期,请向县里要新的",
    err_county_unreachable: "连不上县平台,请检查地址和网络",
    err_insecure_address: "县平台地址须以 https:// 开头(加密传输),请向县里核对地址",
    take_photo: "拍照",
    pick_photos: "从相册选择",
    photos_heading: "照片",
    processing_photos: "正在处理照片,剩余",
    remove_photo: "删除照片",
    close: "关闭",
    sync: "同步",
    photos_waiting: "待上传照片",
    photo_count_unit: "张",
    photo_settings_heading: "照片设置",
    photo_long_edge: "照片长边(像素,640–4096)",
    photo_quality: "JPEG 质量(40–95)",
    photo_thumbnail: "缩略图长边(像素,120–640)",
    err_photo_empty: "文件是空的(0 字节),请重新拍摄",
    err_photo_too_large: "文件超过 30 MB,请降低相机分辨率后重拍",
    err_not_an_image: "不是能识别的照片,请使用 JPEG、PNG 或 WebP",
    err_photo_format: "无法读取 HEIC 照片:请把相机格式设为“兼容性最佳”(JPEG),或先转换为 JPEG",
    err_photo_truncated: "文件不完整(被截断),请重新复制或重新拍摄",
    err_photo_too_many_pixels: "图片尺寸过大(超过 6400 万像素),无法安全打开",
    idle_after: "静止判定(秒)",
    clock_skew: "时间偏差上限(秒)",
    gap_report: "报告中断(秒)",
    max_gap: "中断分段(秒)",
    max_jump: "跳变分段(米)",
    min_move: "最小移动(米)",
    max_accuracy: "最差精度(米)",
    track_settings_heading: "轨迹记录设置",
    location_skipped: "本次巡查不记录轨迹。",
    location_replay: "正在使用回放定位(桌面演示)。",
    location_no_answer: "系统没有答复定位权限；若有定位，轨迹会照常记录。",
    location_denied: "未获得定位权限：本次巡查没有轨迹，其余内容照常记录。",
    location_skip: "不记录轨迹",
    location_allow: "开启定位",
    location_why: "巡查轨迹需要定位权限：只在巡查进行中记录位置，用来留存巡查路线，随记录一起上报县政法委。",
    exported_to: "已导出到：",
    export_geojson: "导出 GeoJSON",
    export_gpx: "导出 GPX",
    dropped_heading: "未采用的定位",
    gaps_heading: "定位中断",
    segments: "分段",
    no_track: "本次巡查没有轨迹。",
    waiting_fix: "等待定位…",
    no_fix_warning: "已超过 30 秒没有收到定位，请到开阔处。",
    accuracy: "当前精度",
    fixes: "定位点",
    elapsed: "总时长",
    moving_time: "行进时间",
    distance: "里程",
    track_heading: "轨迹",
    awaiting_review: "份巡查日志待队长签字",
    planned: "计划",
    route: "路线名称(可不填)",
    start_this: "开始",
    settings: "设置",
    resume: "继续记录",
    attendance_heading: "人员到位",
    present: "到岗",
    late: "迟到",
    absent: "缺勤",
    reason: "原因",
    add_guest: "添加临时人员",
    guest_name: "姓名",
    add: "添加",
    no_members: "队员名单为空。请先在设置中添加队员。",
    checklist_heading: "巡查重点",
    normal: "正常",
    problem: "发现问题",
    not_applicable: "不适用",
    other_domain: "其他",
    theme_heading: "白天 / 夜间",
    track_details: "更多(供核查)",
    report_as_hazard: "登记为隐患",
    phrases_hint: "常用说法(点一下加入描述)",
    theme_system: "跟随手机",
    theme_day: "白天",
    theme_night: "夜间",
    observations_heading: "巡查发现",
    no_observations: "还没有记录巡查发现。",
    add_hazard: "+ 隐患",
    add_dispute: "+ 矛盾纠纷",
    add_sighting: "+ 可疑情况",
    add_visit: "+ 入户走访",
    add_outreach: "+ 宣传",
    save: "保存",
    cancel: "取消",
    description: "情况描述",
    place: "地点",
    settings_open_note: "队长设置签字密码后,名单、值班、定位和照片设置要队长密码才能修改。",
    settings_locked_note: "名单、值班、定位和照片设置已锁定,只能查看。队长输入签字密码可解锁 10 分钟。",
    unlock_settings: "队长解锁",
    lock_settings: "现在锁定",
    err_settings_locked: "设置已锁定:要队长输入签字密码解锁后才能修改",
    use_my_location: "用我的位置",
    spot_label: "手机定位",
    spot_remove: "不用这个位置",
    spot_none: "还没有最近的定位:到开阔处等一会儿再点,或只写地点",
    severity: "严重程度",
    domain: "领域",
    handling: "处置方式",
    fixed_on_spot: "当场整改",
    rectify: "限期整改",
    escalate: "上报",
    responsible: "责任人",
    unit: "责任单位",
    escalate_to: "上报至",
    centre: "综治中心",
    county: "县政法委",
    summary: "概况",
    handed_to_village: "已交村(社区)调解",
    subject: "对象",
    person: "人员",
    vehicle: "车辆",
    item: "物品",
    passed_to_police: "已告知民警",
    household: "户主/门牌",
    people_met: "见到人数",
    notes: "备注",
    outreach_kind: "宣传方式",
    leaflets: "发放传单",
    talk: "宣讲",
    loudspeaker: "广播喇叭",
    audience: "受众人数",
    finish_heading: "结束巡查并签字",
    steps_label: "巡查步骤",
    step_sign: "签字",
    step_sign_hint: "最后一步",
    step_next: "下一步",
    people_unit: "人",
    findings_unit: "条",
    remarks: "备注",
    signer: "签字人",
    pin: "签字密码",
    signature_pad: "请在框内手写签名",
    clear: "重写",
    sign_submit: "签字提交",
    review_heading: "队长审核",
    countersign: "确认签字",
    send_back: "退回给巡查人",
    return_reason: "退回原因",
    returned_because: "已退回：",
    signatures: "签字",
    amend: "更正(新建更正记录)",
    amends: "更正自",
    frozen_note: "本记录已签字封存，不能修改。",
    started_at: "开始时间",
    ended_at: "结束时间",
    checked_count: "已查项目",
    present_count: "到岗人数",
    roster_heading: "队员名单",
    member_name: "姓名",
    set_pin: "设置签字密码",
    pin_again: "再次输入密码",
    pins_differ: "两次输入的密码不一致。",
    has_key: "已设签字密钥",
    duty_heading: "勤务排班",
    daily: "每天",
    market_days: "逢3、6、9赶集日",
    weekly_non_market: "每周(避开赶集日)",
    monthly: "每月",
    weekdays: "每周指定日",
    remove: "删除",
    keys_heading: "签字公钥",
    verify: "校验签字记录",
    verify_ok: "所有签字记录完好。",
    verify_bad: "发现被改动的记录：",
    language: "语言",
    hazard_heading: "隐患详情",
    history: "处置记录",
    change_state: "更新状态",
    by_member: "操作人",
    err_schema_too_new: "手机上的数据由更新版本的红马甲巡防写入，本版本无法打开。请升级应用；数据没有被改动。",
    err_storage: "无法读写手机上的数据。请检查存储空间后重试；已保存的记录不会丢失。",
    err_data_dir: "找不到应用的数据文件夹。请检查存储权限后重启应用。",
    err_unknown: "出现未知错误。请重启应用；已保存的记录不会丢失。",
    err_required: "必填，请填写。",
    err_too_long: "太长了，请缩短。",
    err_out_of_range: "数值或日期不合理，请检查。",
    err_end_before_start: "结束时间早于开始时间，请检查手机时间。",
    err_no_present: "请至少标记一名到岗人员。",
    err_pin_format: "密码须为 4 到 8 位数字。",
    err_wrong_pin: "密码不正确。",
    err_pin_wait: "密码错了太多次,请等一会儿再试(最多 15 分钟)。",
    err_pin_locked: "密码错了太多次,这个人的签名已锁定。请队长在“设置 → 队员名单”里用自己的密码解锁。",
    pin_locked: "已锁定",
    lift_pin_lock: "队长解锁",
    lift_pin_lock_hint: "密码错了太多次,签名已锁定。请队长输入自己的密码解锁:",
    leader_pin: "队长的密码",
    lift_pin_lock_no_leader: "本机没有能解锁的队长:解锁要另一位队长,而且他在锁定之前就在本机设了密码。请联系县综治中心。",
    err_no_key: "此人尚未设置签字密码，请先在设置中设置。",
    err_not_allowed: "没有权限：只有本次到岗人员可签字，只有队长可审核。",
    err_wrong_state: "记录当前状态不允许此操作。",
    err_not_found: "找不到该记录。",
    err_tampered: "签字记录校验失败。",
    kind_key: "签名密钥",
    kind_member: "人员提议",
    resend: "重新发送",
    waiting_heading: "等待县平台",
    next_attempt: "下次尝试",
    support_detail: "技术详情(供维护人员查看)",
    revoked_banner: "县平台已停用这部手机。请向县综治中心索取新的登记码,重新登记(记录不会重复上传)",
    enrol_again_heading: "重新登记",
    wait_unknown_key: "等待县平台接受签名密钥",
    wait_not_on_roster: "等待县平台把此人列入名单",
    wait_not_leader: "等待县平台确认队长",
    refusal_unknown: "县平台拒收,原因见技术详情:请联系县综治中心",
    refusal_content_hash: "记录在签字后被改动,县平台拒收:请联系县综治中心",
    refusal_conflict: "县平台已有同一编号的另一份记录,不会覆盖:请联系县综治中心核对",
    refusal_malformed: "县平台无法读取这条记录:请更新应用,然后点“重新发送”",
    refusal_unknown_key: "县平台尚未接受此人的签名密钥:密钥上传后会自动重新发送",
    refusal_key_revoked: "签名密钥已被县平台停用,此记录不能再上传:请该队员在设置中修改密码(之后的记录可正常上传),并联系县综治中心",
    refusal_key_of_other_member: "签名密钥与签字人不符:请联系县综治中心核对名单",
    refusal_key_endorsement: "新签名密钥未得到原密钥的有效确认:请联系县综治中心",
    refusal_not_on_roster: "此人不在县平台名单中,请联系县综治中心确认",
    refusal_not_leader: "县平台名单中此人不是队长或尚未确认:请联系县综治中心,确认后会自动重新发送",
    refusal_signature_invalid: "签名核验不通过,记录可能在签字后被改动:请联系县综治中心",
    refusal_chain_invalid: "装订链核验不通过,记录可能在签字后被改动:请联系县综治中心",
    refusal_chain_fork: "县平台已有另一条记录占用本机装订链的同一位置:请联系县综治中心",
    refusal_track_mismatch: "轨迹与签字时不一致,记录可能在签字后被改动:请联系县综治中心",
    refusal_not_team_hazard: "这条隐患不属于本队:请联系县综治中心核对",
    pending_confirmation: "待县平台确认",
    change_pin: "修改密码",
    confirm_change_pin: "确认修改",
    old_pin: "原密码",
    new_pin: "新密码(4 到 8 位数字)",
    pin_changed: "密码已修改,新签名密钥将自动上传县平台。",
    kind_submission: "待队长审核的记录",
    kind_countersign: "队长复核签字",
    kind_return: "队长退回",
    rapid_button: "一键报警",
    rapid_choose: "点一下发生了什么:立即保存,有信号时最先发送",
    rapid_saved: "已保存,排在上传队列第一位",
    rapid_sent: "县平台已收到",
    rapid_waiting: "等待信号,有信号时最先发送",
    rapid_no_spot: "没有最近的定位",
    rapid_call_heading: "打电话",
    call_110: "拨打 110 报警",
    call_119: "拨打 119 火警",
    call_120: "拨打 120 急救",
    call_leader: "打给队长",
    rapid_no_leader_phone: "县平台名单上还没有队长的电话",
    rapid_history: "本机报过的警情",
    kind_rapid: "一键报警",
    rapid_no_call: "一键报警只通知县平台和队里,不会替你拨打 110 / 119 / 120:有危险请马上用下面的按钮打电话",
    rapid_not_enrolled: "已存在本机,但本机还没有登记到县平台,报警不会发出:请直接打电话",
    rapid_refused: "县平台拒收,请到同步页面重新发送",
    refusal_same_signer: "同一人不能既作为巡查人又作为队长签字:请由另一位队长审核",
    refusal_already_decided: "另一位队长已先处理了这条记录(签字或退回),以先到县平台的为准",
    refusal_outdated: "巡查人已修改并重新签字,这是旧版本:请在队长待审中审核新版本",
    err_same_signer: "您是这次巡查的签字人,不能再作为队长复核签字,请另一位队长审核。",
    err_unknown_signer: "巡查人的签名密钥不在县平台名单中:请在有信号时同步一次,或请队员先同步。",
    err_qr_invalid: "二维码无法识别或已被改动,请重新扫描。",
    reviews_heading: "队长待审",
    reviews_count: "条待审",
    review_page_heading: "审核巡查记录",
    review_from: "巡查人",
    review_sealed_here: "已复核签字,记录已封存。有信号时自动上传县平台。",
    review_returned_here: "已退回给巡查人。",
    review_photos_loading: "正在从县平台取照片…",
    review_photos_failed: "暂时取不到照片(没有信号或县平台未收到),稍后再试。",
    review_no_track: "轨迹将随巡查人的手机上传。",
    submitted_waiting: "已签字,等待队长审核(队长可在自己的手机上审核)。",
    show_qr: "出示二维码(无信号时给队长扫)",
    qr_show_hint: "请对方用“扫码交接”对准这块屏幕,直到对方手机显示记录。漏掉几帧没关系。",
    scan: "扫码交接",
    scan_countersign: "扫描队长签字",
    scan_hint: "把摄像头对准对方手机上的二维码。",
    scan_frames: "已收到画面",
    camera_failed: "无法打开摄像头:请在手机设置中允许本应用使用相机。",
    show_countersign_qr: "出示签字二维码(给巡查人扫)",
};

const EN: Text = Text {
    today: r#"Today's patrols"#,
    start_patrol: "Start patrol",
    starting: "Saving…",
    loading: "Loading…",
    patrols_heading: "Patrol records",
    no_patrols: "No patrols yet. Press “Start patrol” to record the first one.",
    other_lang: "中文",
    duties_heading: r#"Today's duties"#,
    no_duties: "No duties today. The leader can add duties in settings.",
    hazards_heading: "Open hazards",
    no_hazards: "No open hazards.",
    overdue: "Overdue",
    deadline: "Deadline",
    pick_date: "Tap to choose a date",
    pick_time: "Tap to choose a time",
    unsynced: "records not yet uploaded",
    choose_assignment: "Choose a post or zone",
    back: "Back",
    sync_now: "Sync now",
    enrol_heading: "Connect to the county",
    enrol_server: "County address",
    enrol_code: "One-time code (from the county)",
    enrol_device: "This device's name",
    enrol_button: "Connect",
    enrol_scan: "Scan the county's QR code",
    enrol_scan_hint: "Point the camera at the enrolment QR code on the county console's team page; the address and the code are filled in automatically.",
    team_label: "Team",
    last_success: "Last successful sync",
    never: "never",
    last_error: "Last sync failed",
    pending_heading: "Waiting to send",
    nothing_pending: "Everything is sent",
    recent_heading: "Upload log",
    alerts_heading: "Alerts from the county",
    kind_patrol: "Patrol records",
    kind_hazard_event: "Hazard updates",
    kind_photo: "Photos",
    state_pending: "Waiting",
    state_sending: "Sending",
    state_sent: "Sent",
    state_failed: "Failed",
    state_conflict: "Conflict",
    state_superseded: "Not needed",
    problem_not_enrolled: "This device is not connected to the county yet; connect with a code first",
    problem_offline: "No connection to the county; it retries by itself when there is signal",
    problem_timeout: "The county did not answer in time; it retries by itself",
    problem_server_busy: "The county is busy or failing; it retries by itself",
    problem_revoked: "The county revoked this device; ask the county centre to enrol it again",
    problem_unauthorized: "The county does not know this device; enrol it again",
    problem_protocol: "The county's answer was not understood; update the app",
    problem_storage: "This device's storage failed",
    err_enrol_refused: "The code is unknown, used or expired; ask the county for a new one",
    err_county_unreachable: "Cannot reach the county; check the address and the network",
    err_insecure_address: "The county's address must start with https:// (encrypted); check it with the county",
    take_photo: "Take photo",
    pick_photos: "Choose photos",
    photos_heading: "Photos",
    processing_photos: "Processing photos, remaining",
    remove_photo: "Remove photo",
    close: "Close",
    sync: "Sync",
    photos_waiting: "Photos waiting to send",
    photo_count_unit: "photos",
    photo_settings_heading: "Photo settings",
    photo_long_edge: "Photo long edge (px, 640–4096)",
    photo_quality: "JPEG quality (40–95)",
    photo_thumbnail: "Thumbnail long edge (px, 120–640)",
    err_photo_empty: "The file is empty (0 bytes); take the photo again",
    err_photo_too_large: "The file is over 30 MB; lower the camera resolution",
    err_not_an_image: "Not a photo this app can read; use JPEG, PNG or WebP",
    err_photo_format: "HEIC photos can't be read: set the camera to “Most Compatible” (JPEG) or convert to JPEG",
    err_photo_truncated: "The file is incomplete (cut off); copy or take it again",
    err_photo_too_many_pixels: "The picture is too large (over 64 megapixels) to open safely",
    idle_after: r#"Idle after (s)"#,
    clock_skew: r#"Clock difference allowed (s)"#,
    gap_report: r#"Pause reported as a gap (s)"#,
    max_gap: r#"Pause that starts a segment (s)"#,
    max_jump: r#"Jump that starts a segment (m)"#,
    min_move: r#"Minimum movement (m)"#,
    max_accuracy: r#"Worst accuracy kept (m)"#,
    track_settings_heading: r#"Track recording"#,
    location_skipped: r#"This patrol is recorded without a track."#,
    location_replay: r#"Using replayed positions (desktop demo)."#,
    location_no_answer: r#"The system gave no answer on location; if positions arrive, the track is recorded."#,
    location_denied: r#"No location permission: this patrol has no track; everything else is recorded as usual."#,
    location_skip: r#"Go without a track"#,
    location_allow: r#"Turn on location"#,
    location_why: r#"Recording the patrol's track needs location permission: positions are recorded only while a patrol is under way, kept as the record of the route, and sent with it to the county."#,
    exported_to: r#"Exported to: "#,
    export_geojson: r#"Export GeoJSON"#,
    export_gpx: r#"Export GPX"#,
    dropped_heading: r#"Fixes left out"#,
    gaps_heading: r#"Gaps in the track"#,
    segments: r#"Segments"#,
    no_track: r#"This patrol has no track."#,
    waiting_fix: r#"Waiting for a position…"#,
    no_fix_warning: r#"No position for over 30 seconds: move into the open."#,
    accuracy: r#"Accuracy"#,
    fixes: r#"Fixes"#,
    elapsed: r#"Elapsed"#,
    moving_time: r#"Moving time"#,
    distance: r#"Distance"#,
    track_heading: r#"Track"#,
    awaiting_review: r#"patrol logs await the leader's signature"#,
    planned: r#"Planned"#,
    route: r#"Route name (optional)"#,
    start_this: "Start",
    settings: "Settings",
    resume: "Continue",
    attendance_heading: "Attendance",
    present: "Present",
    late: "Late",
    absent: "Absent",
    reason: "Reason",
    add_guest: "Add a guest",
    guest_name: "Name",
    add: "Add",
    no_members: "The roster is empty. Add members in settings first.",
    checklist_heading: "Checklist",
    normal: "Normal",
    problem: "Problem",
    not_applicable: "N/A",
    other_domain: "Other",
    theme_heading: "Day / night",
    track_details: "More (for checking)",
    report_as_hazard: "Record as a hazard",
    phrases_hint: "Common wordings (tap to add)",
    theme_system: "As the phone",
    theme_day: "Day",
    theme_night: "Night",
    observations_heading: "Findings",
    no_observations: "No findings recorded yet.",
    add_hazard: "+ Hazard",
    add_dispute: "+ Dispute",
    add_sighting: "+ Suspicious",
    add_visit: "+ House visit",
    add_outreach: "+ Outreach",
    save: "Save",
    cancel: "Cancel",
    description: "Description",
    place: "Place",
    settings_open_note: "Once a leader has a signing password, the roster, duties, location and photo settings need a leader's password to change.",
    settings_locked_note: "The roster, duties, location and photo settings are locked (view only). A leader's signing password unlocks them for 10 minutes.",
    unlock_settings: "Leader unlock",
    lock_settings: "Lock now",
    err_settings_locked: "Settings are locked: a leader must unlock them with their signing password",
    use_my_location: "Use my location",
    spot_label: "Phone position",
    spot_remove: "Don't use this position",
    spot_none: "No recent position: wait in the open and tap again, or type the place only",
    severity: "Severity",
    domain: "Domain",
    handling: "Handling",
    fixed_on_spot: "Fixed on the spot",
    rectify: "Rectify by deadline",
    escalate: "Escalate",
    responsible: "Responsible person",
    unit: "Responsible unit",
    escalate_to: "Escalate to",
    centre: "Township centre",
    county: "County",
    summary: "Summary",
    handed_to_village: "Handed to the village to mediate",
    subject: "Subject",
    person: "Person",
    vehicle: "Vehicle",
    item: "Item",
    passed_to_police: "Passed to police",
    household: "Household",
    people_met: "People met",
    notes: "Notes",
    outreach_kind: "Kind",
    leaflets: "Leaflets",
    talk: "Talk",
    loudspeaker: "Loudspeaker",
    audience: "Audience",
    finish_heading: "Finish and sign",
    steps_label: "Patrol steps",
    step_sign: "Sign",
    step_sign_hint: "last step",
    step_next: "Next",
    people_unit: "here",
    findings_unit: "recorded",
    remarks: "Remarks",
    signer: "Signer",
    pin: "PIN",
    signature_pad: "Sign by hand in the box",
    clear: "Clear",
    sign_submit: "Sign and submit",
    review_heading: "Leader review",
    countersign: "Countersign",
    send_back: "Send back",
    return_reason: "Reason for sending back",
    returned_because: "Sent back: ",
    signatures: "Signatures",
    amend: "Correct (new amendment)",
    amends: "Amends",
    frozen_note: "This record is signed and sealed; it cannot change.",
    started_at: "Started",
    ended_at: "Ended",
    checked_count: "Items checked",
    present_count: "Present",
    roster_heading: "Team roster",
    member_name: "Name",
    set_pin: "Set signing PIN",
    pin_again: "PIN again",
    pins_differ: "The two PINs differ.",
    has_key: "Has a signing key",
    duty_heading: "Duty schedule",
    daily: "Daily",
    market_days: "Market days (3/6/9)",
    weekly_non_market: "Weekly (not on market days)",
    monthly: "Monthly",
    weekdays: "On weekdays",
    remove: "Remove",
    keys_heading: "Signing public keys",
    verify: "Verify signed records",
    verify_ok: "All signed records are intact.",
    verify_bad: "Records found altered:",
    language: "Language",
    hazard_heading: "Hazard",
    history: "History",
    change_state: "Update state",
    by_member: "By",
    err_schema_too_new: "The data on this phone was written by a newer Redvest. Please update the app; the data was not changed.",
    err_storage: "Could not read or write the data on this phone. Check free space and try again; saved records are not lost.",
    err_data_dir: r#"The app's data folder was not found. Check storage permission and restart the app."#,
    err_unknown: "Something unexpected went wrong. Restart the app; saved records are not lost.",
    err_required: "Required: please fill it in.",
    err_too_long: "Too long: please shorten it.",
    err_out_of_range: "Value or date out of range: please check.",
    err_end_before_start: r#"The end is before the start: check the phone's clock."#,
    err_no_present: "Mark at least one member present.",
    err_pin_format: "The PIN must be 4 to 8 digits.",
    err_wrong_pin: "Wrong PIN.",
    err_pin_wait: "Too many wrong PINs: wait a little and try again (at most 15 minutes).",
    err_pin_locked: "Too many wrong PINs: this person's signature is locked. A leader unlocks it under Settings → Team roster with their own PIN.",
    pin_locked: "Locked",
    lift_pin_lock: "Unlock (leader's PIN)",
    lift_pin_lock_hint: "Too many wrong PINs locked this signature. A leader unlocks it with their own PIN:",
    leader_pin: "The leader's PIN",
    lift_pin_lock_no_leader: "No leader on this phone can unlock it: it takes another leader whose PIN was set on this phone before the lock. Contact the county centre.",
    err_no_key: "This person has no signing PIN yet: set one in settings.",
    err_not_allowed: "Not allowed: only members present may sign, only the leader may review.",
    err_wrong_state: r#"The record's state does not allow this."#,
    err_not_found: "Record not found.",
    err_tampered: "A signed record failed verification.",
    kind_key: "Signing keys",
    kind_member: "Roster proposals",
    resend: "Send again",
    waiting_heading: "Waiting for the county",
    next_attempt: "Next attempt",
    support_detail: "Technical detail (for support)",
    revoked_banner: "The county revoked this phone. Ask the county centre for a new enrolment code and enrol again (nothing is sent twice).",
    enrol_again_heading: "Enrol again",
    wait_unknown_key: "for the county to accept the signing key",
    wait_not_on_roster: "for the county to put this person on the roster",
    wait_not_leader: "for the county to confirm the leader",
    refusal_unknown: "Refused by the county (see the technical detail): contact the county centre",
    refusal_content_hash: "The record was changed after signing, so the county refused it: contact the county centre",
    refusal_conflict: "The county holds another record under the same id and will not overwrite it: contact the county centre to check",
    refusal_malformed: "The county could not read this record: update the app, then press “Send again”",
    refusal_unknown_key: r#"The county has not accepted this person's signing key yet: it is sent again by itself once the key is"#,
    refusal_key_revoked: "The county revoked this signing key, so this record cannot go up: the member changes their PIN in settings (later records go up) and contacts the county centre",
    refusal_key_of_other_member: "The signing key belongs to another member: contact the county centre to check the roster",
    refusal_key_endorsement: "The new signing key is not validly endorsed by the old one: contact the county centre",
    refusal_not_on_roster: r#"This person is not on the county's roster: ask the county centre to confirm them"#,
    refusal_not_leader: r#"On the county's roster this person is not a leader or not yet confirmed: ask the county centre; it is sent again by itself once they confirm"#,
    refusal_signature_invalid: "A signature does not verify; the record may have been changed after signing: contact the county centre",
    refusal_chain_invalid: "The chain link does not verify; the record may have been changed after signing: contact the county centre",
    refusal_chain_fork: r#"Another record already holds this place in this phone's chain: contact the county centre"#,
    refusal_track_mismatch: "The track is not the one that was signed; it may have been changed after signing: contact the county centre",
    refusal_not_team_hazard: r#"This hazard is not this team's: contact the county centre to check"#,
    pending_confirmation: "Awaiting county confirmation",
    change_pin: "Change PIN",
    confirm_change_pin: "Confirm change",
    old_pin: "Current PIN",
    new_pin: "New PIN (4 to 8 digits)",
    pin_changed: "PIN changed; the new signing key goes to the county by itself.",
    kind_submission: "Signed, for the leader",
    kind_countersign: "Countersignatures",
    kind_return: "Sent back by the leader",
    rapid_button: "Emergency",
    rapid_choose: "Tap what is happening: it is saved at once and sent before anything else",
    rapid_saved: "Saved: first in the upload queue",
    rapid_sent: "The county has it",
    rapid_waiting: "Waiting for signal; it goes first",
    rapid_no_spot: "No recent position",
    rapid_call_heading: "Call",
    call_110: "Call 110 (police)",
    call_119: "Call 119 (fire)",
    call_120: "Call 120 (ambulance)",
    call_leader: "Call the leader",
    rapid_no_leader_phone: "The county's roster has no leader's number yet",
    rapid_history: "Reports from this phone",
    kind_rapid: "Emergency reports",
    rapid_no_call: "It only tells the county and the team; it does not call 110 / 119 / 120 for you: in danger, call with the buttons below",
    rapid_not_enrolled: "Kept on this phone, but the phone is not enrolled with the county, so it will not be sent: call instead",
    rapid_refused: "Refused by the county: resend it from the sync page",
    refusal_same_signer: "One person cannot sign as volunteer and as leader: another leader must review it",
    refusal_already_decided: "Another leader decided on this record first (countersigned or sent back); the first to reach the county stands",
    refusal_outdated: "The volunteer corrected and signed it again; this is the old version: review the new one",
    err_same_signer: "You signed this patrol as its volunteer and cannot countersign it; another leader must.",
    err_unknown_signer: "The volunteer's key is not on the county's roster: sync once with signal, or ask the volunteer to sync first.",
    err_qr_invalid: "The QR code cannot be read or was altered; scan it again.",
    reviews_heading: "Waiting for the leader",
    reviews_count: "to review",
    review_page_heading: "Review a patrol",
    review_from: "Signed by",
    review_sealed_here: "Countersigned and sealed. It goes to the county by itself when there is signal.",
    review_returned_here: "Sent back to the volunteer.",
    review_photos_loading: "Fetching photos from the county…",
    review_photos_failed: "The photos cannot be fetched now (no signal, or not at the county yet); try later.",
    review_no_track: "The track follows from the volunteer's phone.",
    submitted_waiting: "Signed; waiting for the leader (who can review it on their own phone).",
    show_qr: "Show QR codes (for the leader, with no signal)",
    qr_show_hint: "Let the other phone's “Scan hand-over” look at this screen until it shows the record. Missed frames do not matter.",
    scan: "Scan hand-over",
    scan_countersign: "Scan the leader's countersignature",
    scan_hint: "Point the camera at the QR codes on the other phone.",
    scan_frames: "Frames received",
    camera_failed: "The camera cannot be opened: allow this app to use the camera in the phone's settings.",
    show_countersign_qr: "Show the countersignature as QR codes (for the volunteer)",
};

impl Lang {
    /// The code stored in settings.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The other language, for the toggle.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The name of a post or zone.
    pub fn assignment(self, a: Assignment) -> &'static str {
        let zh = self == Lang::Zh;
        match a {
            Assignment::Post(Post::SchoolGate) => if zh { "护学岗" } else { "School gate" },
            Assignment::Post(Post::NightPatrol) => if zh { "夜巡岗" } else { "Night patrol" },
            Assignment::Post(Post::MarketStreet) => if zh { "街面岗" } else { "Market street" },
            Assignment::Zone(Zone::TownCentre) => if zh { "场镇集中区" } else { "Town centre" },
            Assignment::Zone(Zone::Industrial) => if zh { "企业生产区" } else { "Industrial area" },
            Assignment::Zone(Zone::Highland) => if zh { "高山留守区" } else { "Highland villages" },
            Assignment::Zone(Zone::Rural) => if zh { "农村" } else { "Rural villages" },
        }
    }

    /// The name of a duty's status.
    pub fn duty_status(self, s: DutyStatus) -> &'static str {
        let zh = self == Lang::Zh;
        match s {
            DutyStatus::Due => if zh { "待巡查" } else { "Due" },
            DutyStatus::InProgress => if zh { "进行中" } else { "In progress" },
            DutyStatus::Done => if zh { "已完成" } else { "Done" },
            DutyStatus::Missed => if zh { "已错过" } else { "Missed" },
        }
    }

    /// The name of a patrol's state.
    pub fn patrol_state(self, s: PatrolState) -> &'static str {
        let zh = self == Lang::Zh;
        match s {
            PatrolState::Open => if zh { "进行中" } else { "In progress" },
            PatrolState::Submitted => if zh { "待队长签字" } else { "Awaiting leader" },
            PatrolState::Returned => if zh { "已退回" } else { "Sent back" },
            PatrolState::Sealed => if zh { "已签字封存" } else { "Signed and sealed" },
        }
    }

    /// The name of a weekday (周一, Mon), whatever the system's locale.
    pub fn weekday(self, w: chrono::Weekday) -> &'static str {
        const DAYS_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        const DAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let i = w.num_days_from_monday() as usize;
        if self == Lang::Zh { DAYS_ZH[i] } else { DAYS_EN[i] }
    }

    /// The name of a role.
    pub fn role(self, r: Role) -> &'static str {
        if self == Lang::Zh {
            return r.zh();
        }
        match r {
            Role::Leader => "Leader",
            Role::Volunteer => "Volunteer",
            Role::Member => "Patrol member",
            Role::GridWorker => "Grid worker",
            Role::Mediator => "Mediator",
            Role::Officer => "Governance officer",
            Role::Police => "Police officer",
            Role::AuxPolice => "Auxiliary police",
            Role::DutyStaff => "Duty staff",
            Role::Guard => "Guard",
        }
    }

    /// The name of a checklist domain.
    /// Duties missed over the last 7 and 30 days.
    pub fn missed_summary(self, week: u32, month: u32) -> String {
        match self {
            Lang::Zh => format!("近 7 天错过 {week} 个班次 · 近 30 天错过 {month} 个"),
            Lang::En => format!("Missed: {week} duties in the last 7 days · {month} in 30"),
        }
    }

    pub fn domain(self, d: CheckDomain) -> &'static str {
        if self == Lang::Zh {
            return d.zh();
        }
        match d {
            CheckDomain::PublicOrder => "Public order",
            CheckDomain::WorkSafety => "Work safety",
            CheckDomain::FireSafety => "Fire safety",
        }
    }

    /// Who unlocked the team's settings and when they lock again.
    pub fn settings_unlocked(self, by: &str, until: chrono::DateTime<chrono::Utc>) -> String {
        let at = hm(until.with_timezone(&chrono::Local).time());
        if self == Lang::Zh { format!("{by} 已解锁设置,{at} 自动锁定") } else { format!("Unlocked by {by}; locks again at {at}") }
    }

    /// A 用我的位置 position: degrees to 5 places (≈ 1 m), its accuracy, when it was taken.
    pub fn spot(self, s: &redvest_shared::observation::Spot) -> String {
        let unit = if self == Lang::Zh { "米" } else { "m" };
        format!("{:.5}, {:.5} · ±{} {unit} · {}", s.lat(), s.lon(), s.accuracy_m, local(s.at))
    }

    /// The name of a rapid report's kind.
    pub fn rapid_kind(self, k: redvest_shared::rapid::RapidKind) -> &'static str {
        use redvest_shared::rapid::RapidKind;
        if self == Lang::Zh {
            return k.zh();
        }
        match k {
            RapidKind::Security => "Crime or fight",
            RapidKind::Fire => "Fire",
            RapidKind::Injury => "Injury or illness",
            RapidKind::Suspicious => "Suspicious person",
            RapidKind::Other => "Other emergency",
        }
    }

    /// The name of a severity.
    pub fn severity(self, s: Severity) -> &'static str {
        if self == Lang::Zh {
            return s.zh();
        }
        match s {
            Severity::Low => "Minor",
            Severity::Medium => "Serious",
            Severity::High => "Major",
        }
    }

    /// The name of a hazard state.
    pub fn hazard_state(self, s: HazardState) -> &'static str {
        if self == Lang::Zh {
            return s.zh();
        }
        match s {
            HazardState::Reported => "Reported",
            HazardState::Assigned => "Assigned",
            HazardState::Rectifying => "Rectifying",
            HazardState::Verified => "Verified",
            HazardState::Closed => "Closed",
            HazardState::FixedOnSpot => "Fixed on the spot",
            HazardState::Escalated => "Escalated",
        }
    }

    /// What a verification finding means.
    pub fn problem(self, p: Problem) -> &'static str {
        let zh = self == Lang::Zh;
        match p {
            Problem::ContentChanged => if zh { "记录内容被改动" } else { "content changed" },
            Problem::SignedBytesChanged => if zh { "签字原文被改动" } else { "signed bytes changed" },
            Problem::SignatureInvalid => if zh { "签名无效" } else { "signature invalid" },
            Problem::ChainBroken => if zh { "装订链断裂" } else { "chain broken" },
            Problem::NotInChain => if zh { "未入装订链" } else { "missing from chain" },
            Problem::PhotoChanged => if zh { "照片被替换或丢失" } else { "photo swapped or missing" },
        }
    }

    /// Why fixes were left out.
    pub fn drop_reason(self, r: DropReason) -> &'static str {
        let zh = self == Lang::Zh;
        match r {
            DropReason::Invalid => if zh { "无效位置" } else { "invalid" },
            DropReason::Inaccurate => if zh { "精度太差" } else { "inaccurate" },
            DropReason::ClockSkew => if zh { "时间不对" } else { "clock skew" },
            DropReason::OutOfOrder => if zh { "顺序颠倒" } else { "out of order" },
            DropReason::Duplicate => if zh { "重复" } else { "duplicate" },
            DropReason::Stationary => if zh { "原地不动" } else { "standing still" },
            DropReason::TooFast => if zh { "速度不合理" } else { "implausibly fast" },
        }
    }

    /// "N 条记录被县平台拒收".
    pub fn refused_count(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("{n} 条记录被县平台拒收"),
            Lang::En if n == 1 => "1 record refused by the county".to_string(),
            Lang::En => format!("{n} records refused by the county"),
        }
    }

    /// The home page's warning, a link to the sync page.
    pub fn refused_home(self, n: u32) -> String {
        match self {
            Lang::Zh => format!("{n} 条记录被县平台拒收,点此查看"),
            Lang::En if n == 1 => "1 record refused by the county: tap to see".to_string(),
            Lang::En => format!("{n} records refused by the county: tap to see"),
        }
    }

    /// The last sync while records are refused or wait for the county: never "success" alone.
    pub fn last_sync_refused(self, when: Option<&str>, refused: usize, waiting: usize) -> String {
        let zh = self == Lang::Zh;
        let mut s = if zh { format!("上次同步 {}", when.unwrap_or("从未完成")) } else { format!("Last sync {}", when.unwrap_or("never completed")) };
        if refused > 0 {
            s += &if zh { format!(",有 {refused} 条被拒收") } else { format!(", {refused} refused") };
        }
        if waiting > 0 {
            s += &if zh { format!(",有 {waiting} 条等待县平台确认") } else { format!(", {waiting} waiting for the county") };
        }
        s
    }

    /// After 重新发送: how many went back to 待上传.
    pub fn resent(self, n: u32) -> String {
        match self {
            Lang::Zh => format!("已放回待上传 {n} 条"),
            Lang::En => format!("{n} put back to send"),
        }
    }

    /// An entry that waits for the county: "待上传(等待…)".
    pub fn waiting_state(self, code: Refusal) -> String {
        let t = self.text();
        match self {
            Lang::Zh => format!("{}({})", t.state_pending, wait_text(t, code)),
            Lang::En => format!("{} ({})", t.state_pending, wait_text(t, code)),
        }
    }

    /// The words for this language.
    pub fn text(self) -> &'static Text {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// The current language, reactive.
pub fn use_lang() -> impl Fn() -> Lang + Copy {
    let lang = use_context::<ReadSignal<Lang>>().unwrap_or_else(|| signal(Lang::Zh).0);
    move || lang.get()
}

/// The current language's words, reactive: call inside a closure in a view.
pub fn use_text() -> impl Fn() -> &'static Text + Copy {
    let lang = use_context::<ReadSignal<Lang>>().unwrap_or_else(|| signal(Lang::Zh).0);
    move || lang.get().text()
}

/// What to tell the user about a failed command, chosen by its code.
pub fn error_text(t: &'static Text, e: &IpcError) -> &'static str {
    match e.code {
        ErrorCode::SchemaTooNew => t.err_schema_too_new,
        ErrorCode::Storage => t.err_storage,
        ErrorCode::DataDir => t.err_data_dir,
        ErrorCode::Required => t.err_required,
        ErrorCode::TooLong => t.err_too_long,
        ErrorCode::OutOfRange => t.err_out_of_range,
        ErrorCode::EndBeforeStart => t.err_end_before_start,
        ErrorCode::NoPresentMember => t.err_no_present,
        ErrorCode::PinFormat => t.err_pin_format,
        ErrorCode::WrongPin => t.err_wrong_pin,
        ErrorCode::PinWait => t.err_pin_wait,
        ErrorCode::PinLocked => t.err_pin_locked,
        ErrorCode::NoKey => t.err_no_key,
        ErrorCode::SettingsLocked => t.err_settings_locked,
        ErrorCode::NotAllowed => t.err_not_allowed,
        ErrorCode::WrongState => t.err_wrong_state,
        ErrorCode::NotFound => t.err_not_found,
        ErrorCode::Tampered => t.err_tampered,
        ErrorCode::PhotoEmpty => t.err_photo_empty,
        ErrorCode::PhotoTooLarge => t.err_photo_too_large,
        ErrorCode::NotAnImage => t.err_not_an_image,
        ErrorCode::PhotoFormat => t.err_photo_format,
        ErrorCode::PhotoTruncated => t.err_photo_truncated,
        ErrorCode::PhotoTooManyPixels => t.err_photo_too_many_pixels,
        ErrorCode::EnrolRefused => t.err_enrol_refused,
        ErrorCode::CountyUnreachable => t.err_county_unreachable,
        ErrorCode::InsecureAddress => t.err_insecure_address,
        ErrorCode::SameSigner => t.err_same_signer,
        ErrorCode::UnknownSigner => t.err_unknown_signer,
        ErrorCode::QrInvalid => t.err_qr_invalid,
        ErrorCode::Unknown => t.err_unknown,
    }
}

/// A byte count as people read it: "350 KB", "1.2 MB".
pub fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{} KB", n / 1_000),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

/// The words for an outbox kind.
pub fn outbox_kind(t: &'static Text, kind: redvest_shared::sync::OutboxKind) -> &'static str {
    use redvest_shared::sync::OutboxKind;
    match kind {
        OutboxKind::Patrol => t.kind_patrol,
        OutboxKind::HazardEvent => t.kind_hazard_event,
        OutboxKind::Photo => t.kind_photo,
        OutboxKind::Key => t.kind_key,
        OutboxKind::Member => t.kind_member,
        OutboxKind::Submission => t.kind_submission,
        OutboxKind::Countersign => t.kind_countersign,
        OutboxKind::Return => t.kind_return,
        OutboxKind::Rapid => t.kind_rapid,
    }
}

/// The words for an outbox state.
pub fn outbox_state(t: &'static Text, state: redvest_shared::sync::OutboxState) -> &'static str {
    use redvest_shared::sync::OutboxState;
    match state {
        OutboxState::Pending => t.state_pending,
        OutboxState::Sending => t.state_sending,
        OutboxState::Sent => t.state_sent,
        OutboxState::Failed => t.state_failed,
        OutboxState::Conflict => t.state_conflict,
        OutboxState::Superseded => t.state_superseded,
    }
}

/// What went wrong with the last sync, in plain words.
pub fn sync_problem(t: &'static Text, problem: redvest_shared::sync::SyncProblem) -> &'static str {
    use redvest_shared::sync::SyncProblem;
    match problem {
        SyncProblem::NotEnrolled => t.problem_not_enrolled,
        SyncProblem::Offline => t.problem_offline,
        SyncProblem::Timeout => t.problem_timeout,
        SyncProblem::ServerBusy => t.problem_server_busy,
        SyncProblem::Revoked => t.problem_revoked,
        SyncProblem::Unauthorized => t.problem_unauthorized,
        SyncProblem::Protocol => t.problem_protocol,
        SyncProblem::Storage => t.problem_storage,
    }
}

/// Why the county refused a record, and what the user can do, chosen by its code.
pub fn refusal_text(t: &'static Text, code: Option<Refusal>) -> &'static str {
    match code {
        None | Some(Refusal::Other) => t.refusal_unknown,
        Some(Refusal::ContentHash) => t.refusal_content_hash,
        Some(Refusal::Conflict) => t.refusal_conflict,
        Some(Refusal::Malformed) => t.refusal_malformed,
        Some(Refusal::UnknownKey) => t.refusal_unknown_key,
        Some(Refusal::KeyRevoked) => t.refusal_key_revoked,
        Some(Refusal::KeyOfOtherMember) => t.refusal_key_of_other_member,
        Some(Refusal::KeyEndorsement) => t.refusal_key_endorsement,
        Some(Refusal::NotOnRoster) => t.refusal_not_on_roster,
        Some(Refusal::NotLeader) => t.refusal_not_leader,
        Some(Refusal::SignatureInvalid) => t.refusal_signature_invalid,
        Some(Refusal::ChainInvalid) => t.refusal_chain_invalid,
        Some(Refusal::ChainFork) => t.refusal_chain_fork,
        Some(Refusal::TrackMismatch) => t.refusal_track_mismatch,
        Some(Refusal::NotTeamHazard) => t.refusal_not_team_hazard,
        Some(Refusal::SameSigner) => t.refusal_same_signer,
        Some(Refusal::AlreadyDecided) => t.refusal_already_decided,
        Some(Refusal::Outdated) => t.refusal_outdated,
    }
}

/// What a held entry waits for at the county, chosen by its code.
pub fn wait_text(t: &'static Text, code: Refusal) -> &'static str {
    match code {
        Refusal::UnknownKey => t.wait_unknown_key,
        Refusal::NotOnRoster => t.wait_not_on_roster,
        Refusal::NotLeader => t.wait_not_leader,
        other => refusal_text(t, Some(other)),
    }
}

/// A moment as the phone's clock reads it, the date always written 2026-12-09 (whatever the
/// locale).
pub fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    let t = t.with_timezone(&chrono::Local);
    format!("{} {}", ymd(t.date_naive()), hm(t.time()))
}

// Dates and times are written by hand, not with chrono's `format`: its strftime parser and
// formatter cost the wasm ≈ 12 KB gzipped, and the UI only ever needs these shapes.

/// A date as the app writes dates: 2026-12-09.
pub fn ymd(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// A time of day to the minute: 20:00.
pub fn hm(t: chrono::NaiveTime) -> String {
    use chrono::Timelike;
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// A time of day to the second: 20:00:05.
pub fn hms(t: chrono::NaiveTime) -> String {
    use chrono::Timelike;
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// A time picker's value (`20:00`, or `20:00:05` with seconds) as a time of day.
pub fn parse_hm(s: &str) -> Option<chrono::NaiveTime> {
    let mut parts = s.trim().split(':').map(|p| p.parse::<u32>().ok());
    let (h, m, sec) = (parts.next()??, parts.next()??, parts.next().unwrap_or(Some(0))?);
    chrono::NaiveTime::from_hms_opt(h, m, sec)
}
