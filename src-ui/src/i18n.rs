//! Every string the UI shows, zh-CN first, English second. Views never hold literal text.

use leptos::prelude::*;
use redvest_shared::checklist::CheckDomain;
use redvest_shared::duty::{Assignment, DutyStatus, Post, Zone};
use redvest_shared::hazard::HazardState;
use redvest_shared::observation::Severity;
use redvest_shared::patrol::{PatrolState, Problem};
use redvest_shared::team::Role;
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
    pub unsynced: &'static str,
    pub choose_assignment: &'static str,
    pub back: &'static str,
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
    pub err_no_key: &'static str,
    pub err_not_allowed: &'static str,
    pub err_wrong_state: &'static str,
    pub err_not_found: &'static str,
    pub err_tampered: &'static str,
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
    unsynced: "条记录未上传",
    choose_assignment: "选择岗位或区域",
    back: "返回",
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
    remarks: "备注",
    signer: "签字人",
    pin: "PIN 码",
    signature_pad: "请在框内手写签名",
    clear: "重写",
    sign_submit: "签字提交",
    review_heading: "队长审核",
    countersign: "确认签字",
    send_back: "退回",
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
    set_pin: "设置签字 PIN",
    pin_again: "再次输入 PIN",
    pins_differ: "两次输入的 PIN 不一致。",
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
    err_pin_format: "PIN 码须为 4 到 8 位数字。",
    err_wrong_pin: "PIN 码不正确。",
    err_no_key: "此人尚未设置签字 PIN，请先在设置中设置。",
    err_not_allowed: "没有权限：只有本次到岗人员可签字，只有队长可审核。",
    err_wrong_state: "记录当前状态不允许此操作。",
    err_not_found: "找不到该记录。",
    err_tampered: "签字记录校验失败。",
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
    unsynced: "records not yet uploaded",
    choose_assignment: "Choose a post or zone",
    back: "Back",
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
    err_no_key: "This person has no signing PIN yet: set one in settings.",
    err_not_allowed: "Not allowed: only members present may sign, only the leader may review.",
    err_wrong_state: r#"The record's state does not allow this."#,
    err_not_found: "Record not found.",
    err_tampered: "A signed record failed verification.",
};

impl Lang {
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

    /// The name of a role.
    pub fn role(self, r: Role) -> &'static str {
        let zh = self == Lang::Zh;
        match r {
            Role::Leader => if zh { "队长" } else { "Leader" },
            Role::Volunteer => if zh { "平安志愿者" } else { "Volunteer" },
            Role::Member => if zh { "巡防队员" } else { "Patrol member" },
            Role::GridWorker => if zh { "网格员" } else { "Grid worker" },
            Role::Mediator => if zh { "调解员" } else { "Mediator" },
            Role::Officer => if zh { "综治专干" } else { "Governance officer" },
            Role::Police => if zh { "民警" } else { "Police officer" },
            Role::AuxPolice => if zh { "辅警" } else { "Auxiliary police" },
            Role::DutyStaff => if zh { "值班人员" } else { "Duty staff" },
            Role::Guard => if zh { "保安" } else { "Guard" },
        }
    }

    /// The name of a checklist domain.
    pub fn domain(self, d: CheckDomain) -> &'static str {
        let zh = self == Lang::Zh;
        match d {
            CheckDomain::PublicOrder => if zh { "社会治安" } else { "Public order" },
            CheckDomain::WorkSafety => if zh { "安全生产" } else { "Work safety" },
            CheckDomain::FireSafety => if zh { "消防安全" } else { "Fire safety" },
        }
    }

    /// The name of a severity.
    pub fn severity(self, s: Severity) -> &'static str {
        let zh = self == Lang::Zh;
        match s {
            Severity::Low => if zh { "一般" } else { "Minor" },
            Severity::Medium => if zh { "较大" } else { "Serious" },
            Severity::High => if zh { "重大" } else { "Major" },
        }
    }

    /// The name of a hazard state.
    pub fn hazard_state(self, s: HazardState) -> &'static str {
        let zh = self == Lang::Zh;
        match s {
            HazardState::Reported => if zh { "已发现" } else { "Reported" },
            HazardState::Assigned => if zh { "已交办" } else { "Assigned" },
            HazardState::Rectifying => if zh { "整改中" } else { "Rectifying" },
            HazardState::Verified => if zh { "已复查" } else { "Verified" },
            HazardState::Closed => if zh { "已销号" } else { "Closed" },
            HazardState::FixedOnSpot => if zh { "当场整改" } else { "Fixed on the spot" },
            HazardState::Escalated => if zh { "已上报" } else { "Escalated" },
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
        ErrorCode::NoKey => t.err_no_key,
        ErrorCode::NotAllowed => t.err_not_allowed,
        ErrorCode::WrongState => t.err_wrong_state,
        ErrorCode::NotFound => t.err_not_found,
        ErrorCode::Tampered => t.err_tampered,
        ErrorCode::Unknown => t.err_unknown,
    }
}
