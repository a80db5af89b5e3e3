//! Every string the UI shows, zh-CN first, English second. Views never hold literal text.

use leptos::prelude::*;
use redvest_shared::duty::{Assignment, DutyStatus, Post, Zone};
use redvest_shared::patrol::PatrolState;
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
pub struct Text {
    /// The label of the button that switches to the other language.
    pub other_lang: &'static str,
    pub today: &'static str,
    pub start_patrol: &'static str,
    pub starting: &'static str,
    pub loading: &'static str,
    pub patrols_heading: &'static str,
    pub no_patrols: &'static str,
    pub duties_heading: &'static str,
    pub no_duties: &'static str,
    pub hazards_heading: &'static str,
    pub no_hazards: &'static str,
    pub overdue: &'static str,
    pub deadline: &'static str,
    pub unsynced: &'static str,
    pub choose_assignment: &'static str,
    pub back: &'static str,
    pub start_this: &'static str,
    pub err_schema_too_new: &'static str,
    pub err_storage: &'static str,
    pub err_data_dir: &'static str,
    pub err_unknown: &'static str,
}

const ZH: Text = Text {
    other_lang: "English",
    today: "今日巡查",
    start_patrol: "开始巡查",
    starting: "正在保存…",
    loading: "正在读取…",
    patrols_heading: "巡查记录",
    no_patrols: "还没有巡查记录。按「开始巡查」记录第一次巡查。",
    duties_heading: "今日勤务",
    no_duties: "今天没有排班。队长可在设置中添加勤务。",
    hazards_heading: "待整改隐患",
    no_hazards: "没有待整改的隐患。",
    overdue: "已逾期",
    deadline: "期限",
    unsynced: "条记录未上传",
    choose_assignment: "选择岗位或区域",
    back: "返回",
    start_this: "开始",
    err_schema_too_new: "手机上的数据由更新版本的红马甲巡防写入，本版本无法打开。请升级应用；数据没有被改动。",
    err_storage: "无法读写手机上的数据。请检查存储空间后重试；已保存的记录不会丢失。",
    err_data_dir: "找不到应用的数据文件夹。请检查存储权限后重启应用。",
    err_unknown: "出现未知错误。请重启应用；已保存的记录不会丢失。",
};

const EN: Text = Text {
    other_lang: "中文",
    today: "Today's patrols",
    start_patrol: "Start patrol",
    starting: "Saving…",
    loading: "Loading…",
    patrols_heading: "Patrol records",
    no_patrols: "No patrols yet. Press “Start patrol” to record the first one.",
    duties_heading: "Today's duties",
    no_duties: "No duties today. The leader can add duties in settings.",
    hazards_heading: "Open hazards",
    no_hazards: "No open hazards.",
    overdue: "Overdue",
    deadline: "Deadline",
    unsynced: "records not yet uploaded",
    choose_assignment: "Choose a post or zone",
    back: "Back",
    start_this: "Start",
    err_schema_too_new: "The data on this phone was written by a newer Redvest. Please update the app; the data was not changed.",
    err_storage: "Could not read or write the data on this phone. Check free space and try again; saved records are not lost.",
    err_data_dir: "The app's data folder was not found. Check storage permission and restart the app.",
    err_unknown: "Something unexpected went wrong. Restart the app; saved records are not lost.",
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
        // Validation and state errors are shown beside their field by the forms that
        // raise them; elsewhere the generic text stands in.
        _ => t.err_unknown,
    }
}
