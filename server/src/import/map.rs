//! Headings → fields: the three sheets a store brings ([`Sheet`]), the fields of each and the
//! Chinese and English headings stores write for them (docs/ui/import.md lists them).

use std::collections::HashMap;

/// The kind of sheet being imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sheet {
    /// 意向客户 (A卡) list.
    ACards,
    /// Customers and their vehicles (C卡).
    CCards,
    /// Past services from the old DMS (`service_history`).
    History,
}

impl Sheet {
    pub const ALL: [Sheet; 3] = [Sheet::ACards, Sheet::CCards, Sheet::History];

    /// As in the URL: `a_cards`, `c_cards`, `service_history`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sheet::ACards => "a_cards",
            Sheet::CCards => "c_cards",
            Sheet::History => "service_history",
        }
    }

    pub fn parse(s: &str) -> Option<Sheet> {
        Sheet::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The record type each row becomes.
    pub fn record_type(self) -> &'static str {
        match self {
            Sheet::ACards => "a_card",
            Sheet::CCards => "c_card",
            Sheet::History => "service_history",
        }
    }

    /// The fields, each with its common headings (compared by [`heading_key`]; earlier ones
    /// are preferred), in the order the screen lists them.
    pub fn fields(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            Sheet::ACards => A_CARD_FIELDS,
            Sheet::CCards => C_CARD_FIELDS,
            Sheet::History => HISTORY_FIELDS,
        }
    }

    /// The fields every mapping must map.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Sheet::ACards => &["name", "phone", "intended_model"],
            Sheet::CCards => &["name", "phone"],
            Sheet::History => &["date"],
        }
    }

    /// The field holding the person named in the sheet (matched to users), if any.
    pub fn person_field(self) -> Option<&'static str> {
        match self {
            Sheet::ACards | Sheet::CCards => Some("consultant"),
            Sheet::History => None,
        }
    }

    pub fn field_names(self) -> Vec<&'static str> {
        self.fields().iter().map(|(f, _)| *f).collect()
    }
}

const NAME: &[&str] = &[
    "客户姓名",
    "姓名",
    "客户名称",
    "客户名",
    "车主姓名",
    "车主",
    "客户",
    "名字",
    "联系人",
    "name",
    "customername",
    "fullname",
    "customer",
    "owner name",
];

const PHONE: &[&str] = &[
    "手机",
    "手机号",
    "手机号码",
    "移动电话",
    "联系电话",
    "电话",
    "电话号码",
    "联系方式",
    "客户电话",
    "车主电话",
    "phone",
    "mobile",
    "tel",
    "telephone",
    "phonenumber",
    "mobilephone",
];

const CONSULTANT: &[&str] = &[
    "销售顾问",
    "顾问",
    "负责人",
    "跟进人",
    "所属顾问",
    "业务员",
    "consultant",
    "salesconsultant",
    "salesperson",
];

const A_CARD_FIELDS: &[(&str, &[&str])] = &[
    ("name", NAME),
    ("phone", PHONE),
    (
        "intended_model",
        &[
            "意向车型",
            "车型",
            "意向",
            "关注车型",
            "model",
            "intendedmodel",
            "carmodel",
        ],
    ),
    (
        "grade",
        &[
            "级别",
            "意向级别",
            "客户级别",
            "客户等级",
            "等级",
            "grade",
            "level",
            "intentiongrade",
        ],
    ),
    (
        "source",
        &[
            "来源",
            "客户来源",
            "信息来源",
            "来店渠道",
            "渠道",
            "source",
            "leadsource",
            "channel",
        ],
    ),
    (
        "district",
        &[
            "区域",
            "地区",
            "所在区域",
            "所在地",
            "住址",
            "地址",
            "district",
            "area",
            "region",
            "address",
        ],
    ),
    ("consultant", CONSULTANT),
    (
        "first_contact_at",
        &[
            "首次来店日期",
            "首次来店时间",
            "首次接触时间",
            "首次接触日期",
            "首次接触",
            "首次到店日期",
            "来店日期",
            "来店时间",
            "到店日期",
            "登记日期",
            "登记时间",
            "建档日期",
            "建档时间",
            "建卡日期",
            "建卡时间",
            "日期",
            "firstcontact",
            "firstcontactat",
            "firstvisit",
            "date",
            "created",
        ],
    ),
    (
        "next_follow_up",
        &[
            "下次跟进日期",
            "下次跟进",
            "下次回访日期",
            "下次回访",
            "计划跟进日期",
            "nextfollowup",
        ],
    ),
    ("budget", &["预算", "购车预算", "budget"]),
    (
        "current_car",
        &["现有车辆", "现有车型", "现驾车型", "currentcar", "tradein"],
    ),
];

/// The headings of a vehicle's VIN (C-cards, past services).
const VIN: &[&str] = &[
    "vin",
    "vin码",
    "车架号",
    "车辆识别代号",
    "底盘号",
    "车辆识别码",
];

/// The headings of a vehicle's plate (C-cards, past services).
const PLATE: &[&str] = &[
    "车牌",
    "车牌号",
    "车牌号码",
    "牌照",
    "plate",
    "plateno",
    "licenseplate",
];

const C_CARD_FIELDS: &[(&str, &[&str])] = &[
    ("name", NAME),
    ("phone", PHONE),
    ("vin", VIN),
    ("plate", PLATE),
    (
        "model",
        &["车型", "车辆型号", "品牌车型", "model", "carmodel"],
    ),
    (
        "delivery_date",
        &[
            "交车日期",
            "交车时间",
            "购车日期",
            "销售日期",
            "开票日期",
            "deliverydate",
            "delivered",
        ],
    ),
    (
        "warranty_end",
        &[
            "保修到期",
            "保修到期日",
            "保修截止日期",
            "质保到期",
            "warrantyend",
            "warrantyexpiry",
        ],
    ),
    (
        "insurance_expiry",
        &[
            "保险到期",
            "保险到期日",
            "保险到期日期",
            "商业险到期",
            "交强险到期",
            "续保日期",
            "insuranceexpiry",
            "insuranceend",
        ],
    ),
    (
        "inspection_date",
        &[
            "年审日期",
            "年检日期",
            "年审",
            "年检",
            "下次年检",
            "inspectiondate",
            "inspection",
        ],
    ),
    (
        "birthday",
        &["生日", "出生日期", "客户生日", "birthday", "dateofbirth"],
    ),
    (
        "local",
        &[
            "本地/外地",
            "本地外地",
            "本地",
            "归属地",
            "是否本地",
            "local",
        ],
    ),
    ("consultant", CONSULTANT),
];

const HISTORY_FIELDS: &[(&str, &[&str])] = &[
    ("vin", VIN),
    ("plate", PLATE),
    (
        "date",
        &[
            "维修日期",
            "进厂日期",
            "进站日期",
            "服务日期",
            "结算日期",
            "开单日期",
            "日期",
            "date",
            "servicedate",
        ],
    ),
    (
        "odometer",
        &[
            "进厂里程",
            "行驶里程",
            "里程",
            "公里数",
            "里程数",
            "odometer",
            "mileage",
            "km",
        ],
    ),
    (
        "ro_number",
        &[
            "工单号",
            "委托书号",
            "维修单号",
            "单号",
            "工单编号",
            "ronumber",
            "ro",
            "order",
        ],
    ),
    (
        "kind",
        &[
            "维修类型",
            "服务类型",
            "类型",
            "维修类别",
            "业务类型",
            "kind",
            "type",
            "servicetype",
        ],
    ),
    (
        "amount",
        &[
            "金额",
            "结算金额",
            "总金额",
            "费用",
            "合计",
            "实收金额",
            "amount",
            "total",
        ],
    ),
    (
        "advisor",
        &[
            "服务顾问",
            "接待",
            "接待顾问",
            "顾问",
            "advisor",
            "serviceadvisor",
        ],
    ),
    (
        "note",
        &["备注", "维修内容", "说明", "note", "notes", "remark"],
    ),
];

/// A heading or a typed word compared: lower-case, without spaces, `*`, `:`, `：`, `_`, `-`,
/// `(必填)`.
pub fn heading_key(h: &str) -> String {
    let h = h.replace("(必填)", "").replace("（必填）", "");
    h.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | ':' | '：' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `heading` is a known heading of any field of `sheet`.
pub fn is_known(sheet: Sheet, heading: &str) -> bool {
    let key = heading_key(heading);
    sheet
        .fields()
        .iter()
        .any(|(_, names)| names.iter().any(|n| heading_key(n) == key))
}

/// For each field, the column whose heading is one of its common names (earlier names first;
/// each column is suggested for one field at most).
pub fn suggest(sheet: Sheet, columns: &[String]) -> HashMap<String, String> {
    let keys: Vec<String> = columns.iter().map(|c| heading_key(c)).collect();
    let mut used = vec![false; columns.len()];
    let mut out = HashMap::new();
    for (field, names) in sheet.fields() {
        let found = names.iter().find_map(|n| {
            let n = heading_key(n);
            keys.iter()
                .enumerate()
                .find(|(i, k)| !used[*i] && **k == n)
                .map(|(i, _)| i)
        });
        if let Some(i) = found {
            used[i] = true;
            out.insert((*field).to_owned(), columns[i].clone());
        }
    }
    out
}

/// The shape of a file: its sheet kind and headings. A store's mapping is remembered under it
/// for the next file of the same shape.
pub fn shape_key(sheet: Sheet, columns: &[String]) -> String {
    let mut s = String::from(sheet.as_str());
    for c in columns {
        s.push('|');
        s.push_str(&heading_key(c));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_card_headings() {
        let m = suggest(
            Sheet::ACards,
            &cols(&[
                "序号",
                "客户姓名",
                "手机号码",
                "意向车型",
                "级别",
                "Source",
                "区域",
                "首次来店日期",
            ]),
        );
        assert_eq!(m["name"], "客户姓名");
        assert_eq!(m["phone"], "手机号码");
        assert_eq!(m["intended_model"], "意向车型");
        assert_eq!(m["grade"], "级别");
        assert_eq!(m["source"], "Source");
        assert_eq!(m["district"], "区域");
        assert_eq!(m["first_contact_at"], "首次来店日期");
        assert!(!m.contains_key("consultant"));
        for h in ["来店日期", "登记日期", "建档日期"] {
            let m = suggest(Sheet::ACards, &cols(&["姓名", h]));
            assert_eq!(m["first_contact_at"], h);
        }
        for h in ["手机", "手机号码", "联系电话", "电话", "Mobile"] {
            let m = suggest(Sheet::ACards, &cols(&["姓名", h]));
            assert_eq!(m["phone"], h);
        }
        assert!(is_known(Sheet::ACards, "手机号码*"));
        assert!(!is_known(Sheet::ACards, "XX丰田4S店 意向客户(A卡)登记表"));
    }

    #[test]
    fn c_card_and_history_headings() {
        let m = suggest(
            Sheet::CCards,
            &cols(&[
                "车主姓名",
                "联系电话",
                "车架号",
                "车牌号",
                "车型",
                "交车日期",
                "保险到期日",
                "年审日期",
                "生日",
                "本地/外地",
            ]),
        );
        for f in [
            "name",
            "phone",
            "vin",
            "plate",
            "model",
            "delivery_date",
            "insurance_expiry",
            "inspection_date",
            "birthday",
            "local",
        ] {
            assert!(m.contains_key(f), "{f}");
        }
        let m = suggest(
            Sheet::History,
            &cols(&[
                "VIN码",
                "车牌",
                "进厂日期",
                "进厂里程",
                "工单号",
                "维修类型",
                "结算金额",
                "服务顾问",
            ]),
        );
        assert_eq!(m.len(), 8);
        assert_eq!(m["date"], "进厂日期");
        assert_eq!(m["advisor"], "服务顾问");
        assert_eq!(
            shape_key(Sheet::History, &cols(&["VIN 码", "车牌"])),
            "service_history|vin码|车牌"
        );
    }
}
