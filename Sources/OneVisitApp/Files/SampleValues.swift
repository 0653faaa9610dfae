import OneVisitDomain

/// Fictitious values for filled-in sample forms (示范文本, R8.2.1): each is marked 示例 and
/// plainly not a real person, company or number (某某, X in place of digits).
enum SampleValues {
    static func value(for field: FormField, organisation: Bool) -> String {
        let value: String = switch field.meaning {
        case .applicantName: organisation ? "某某有限公司" : "张某某"
        case .idNumber: "41010219900101XXXX"
        case .creditCode: "91410100XXXXXXXXXX"
        case .certificateNumber: organisation ? "统一社会信用代码 91410100XXXXXXXXXX" : "居民身份证 41010219900101XXXX"
        case .legalRepresentative: "李某某"
        case .contactPerson: "王某某"
        case .phone: "138XXXXXXXX"
        case .address, .postalAddress: "郑州市某某区某某路 1 号"
        case .other: other(field.name)
        }
        return "示例：" + value
    }

    /// A hint shaped like the answer, from the label.
    private static func other(_ name: String) -> String {
        let hints: [(String, String)] = [
            ("日期", "2026 年 1 月 1 日"), ("时间", "2026 年 1 月 1 日"), ("面积", "120 平方米"), ("资本", "100 万元"), ("资金", "10 万元"),
            ("金额", "10 万元"), ("收入", "1500 元"), ("价格", "500 万元"), ("工期", "365 日历天"), ("人数", "5 人"), ("数量", "5"),
            ("人口", "3 人"), ("地址", "郑州市某某区某某路 1 号"), ("场所", "郑州市某某区某某路 1 号"), ("地点", "郑州市某某区某某路 1 号"),
            ("位置", "郑州市某某区某某路 1 号"), ("坐落", "郑州市某某区某某路 1 号"), ("名称", "某某项目"), ("单位", "某某单位"),
            ("姓名", "赵某某"), ("原因", "按实际情况简述"), ("范围", "按目录规范表述填写"), ("编号", "XXXX-XXXX"), ("号码", "XXXX-XXXX"),
            ("账号", "某某银行 6222XXXXXXXXXXXX"), ("账户", "某某银行 6222XXXXXXXXXXXX"),
        ]
        return hints.first { name.contains($0.0) }?.1 ?? "按实际情况填写"
    }
}
