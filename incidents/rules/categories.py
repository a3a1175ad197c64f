"""The controlled vocabulary of personal-data categories.

Codes are stable public identifiers: incidents, recipients, rule files and the
planner's JSON all use them. ``dpc`` is the ENISA data-processing-context base
score (1 simple, 2 behavioural, 3 financial, 4 sensitive); credentials carry the
score of what they typically unlock, which is a product heuristic.

Codes added for the US state definitions of covered data (issue 11), each an element
some statute names on its own:

- ``mothers_maiden_name``: a parent's surname before marriage, used to verify identity
  (e.g. N.D. Cent. Code 51-30-01).
- ``employee_id``: an identification number issued by an employer, usually covered with
  the code or password that goes with it.
- ``electronic_signature``: a person's unique electronic or digital signature.
- ``military_id``, ``tribal_id``, ``student_id``: identification numbers issued by the
  armed forces, a tribal government or a school.
- ``identity_protection_pin``: the IRS Identity Protection PIN.

Elements a statute names that have no code of their own map to the nearest code
(``national_id``, ``tax_id``, ``private_key``, ``genetic``, ``health``, ...); the rule
file's definition says so in its ``note``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    label_zh: str
    group: str
    sensitive: bool
    dpc: int


_NETWORK = "network_identity"
_BASIC = "basic"
_USAGE = "personal_usage"
_DEVICE = "device"
_CREDENTIALS = "credentials"
_GOVERNMENT = "government_identifier"
_FINANCIAL = "financial"
_SPECIAL = "special"

GROUP_LABELS = {
    _NETWORK: ("Network identity information", "网络身份标识信息"),
    _BASIC: ("Basic information", "个人基本信息"),
    _USAGE: ("Personal usage data", "个人使用信息"),
    _DEVICE: ("Frequently used device information", "常用设备信息"),
    _CREDENTIALS: ("Account credentials", "账户凭据"),
    _GOVERNMENT: ("Government identifiers", "政府签发的身份标识"),
    _FINANCIAL: ("Financial information", "金融信息"),
    _SPECIAL: ("Special and sensitive categories", "敏感个人信息"),
}

CATEGORIES: tuple[Category, ...] = (
    Category("name", "Name", "姓名", _BASIC, False, 1),
    Category("email_address", "E-mail address", "电子邮件地址", _NETWORK, False, 1),
    Category("phone_number", "Phone number", "电话号码", _BASIC, False, 1),
    Category("postal_address", "Postal address", "通信地址", _BASIC, False, 1),
    Category("date_of_birth", "Date of birth", "出生日期", _BASIC, False, 1),
    Category("nationality", "Nationality", "国籍", _BASIC, False, 1),
    Category("job_title", "Position / job title", "职位", _BASIC, False, 1),
    Category("employer", "Company / employer", "公司", _BASIC, False, 1),
    Category("ip_address", "IP address", "IP地址", _NETWORK, False, 2),
    Category("domain_name", "Domain name", "域名", _NETWORK, False, 1),
    Category("device_identifier", "Device identifier (MAC, IMEI, Android ID)", "设备标识符（MAC、IMEI、ANDROID ID）", _DEVICE, False, 2),
    Category("os_type", "Operating system type", "操作系统类型", _DEVICE, False, 1),
    Category("running_processes", "Running processes", "运行中的进程", _DEVICE, False, 2),
    Category("file_metadata", "File directory structures and file names", "文件目录结构与文件名", _USAGE, False, 2),
    Category("database_metadata", "Database and instance names", "数据库名与实例名", _USAGE, False, 2),
    Category("username", "Username (system, database, cloud, virtualisation)", "用户名（系统、数据库、云、虚拟化）", _CREDENTIALS, False, 2),
    Category("password", "Password", "密码", _CREDENTIALS, True, 3),
    Category("security_qa", "Security question and answer", "安全问题及答案", _CREDENTIALS, True, 3),
    Category("private_key", "Private signing or access key", "私钥", _CREDENTIALS, True, 3),
    Category("account_number", "Financial account number", "金融账户号码", _FINANCIAL, True, 3),
    Category("payment_card", "Payment card number", "支付卡号", _FINANCIAL, True, 3),
    Category("access_code", "Account access code or PIN", "账户访问码或PIN", _FINANCIAL, True, 3),
    Category("income", "Income and financial standing", "收入与财务状况", _FINANCIAL, True, 3),
    Category("ssn", "Social Security number", "社会安全号码", _GOVERNMENT, True, 3),
    Category("drivers_license", "Driver's licence or state ID number", "驾驶证或州身份证号码", _GOVERNMENT, True, 3),
    Category("passport_number", "Passport number", "护照号码", _GOVERNMENT, True, 3),
    Category("national_id", "National identity number", "身份证号码", _GOVERNMENT, True, 3),
    Category("tax_id", "Tax identification number", "纳税人识别号", _GOVERNMENT, True, 3),
    Category("health", "Health or medical information", "健康医疗信息", _SPECIAL, True, 4),
    Category("health_insurance", "Health insurance information", "健康保险信息", _SPECIAL, True, 4),
    Category("biometric", "Biometric data", "生物识别信息", _SPECIAL, True, 4),
    Category("genetic", "Genetic data", "基因数据", _SPECIAL, True, 4),
    Category("precise_location", "Precise location", "精确位置信息", _SPECIAL, True, 2),
    Category("children_data", "Children's personal data", "儿童个人信息", _SPECIAL, True, 4),
    Category("racial_ethnic_origin", "Racial or ethnic origin", "种族或民族", _SPECIAL, True, 4),
    Category("political_opinion", "Political opinions", "政治观点", _SPECIAL, True, 4),
    Category("religious_belief", "Religious or philosophical beliefs", "宗教信仰", _SPECIAL, True, 4),
    Category("sexual_orientation", "Sex life or sexual orientation", "性生活或性取向", _SPECIAL, True, 4),
    Category("criminal_record", "Criminal convictions and offences", "犯罪记录", _SPECIAL, True, 4),
    Category("mothers_maiden_name", "Mother's maiden name", "母亲婚前姓氏", _BASIC, False, 1),
    Category("employee_id", "Employer-issued identification number", "雇主签发的员工识别号码", _BASIC, False, 1),
    Category("student_id", "Student identification number", "学生证号码", _BASIC, False, 1),
    Category("electronic_signature", "Unique electronic or digital signature", "唯一电子签名或数字签名",
             _CREDENTIALS, True, 3),
    Category("military_id", "Military identification number", "军人身份证件号码", _GOVERNMENT, True, 3),
    Category("tribal_id", "Tribal identification number", "部落身份证件号码", _GOVERNMENT, True, 3),
    Category("identity_protection_pin", "IRS Identity Protection PIN", "美国国税局身份保护PIN码", _GOVERNMENT, True, 3),
)

BY_CODE: dict[str, Category] = {category.code: category for category in CATEGORIES}
CODES: frozenset[str] = frozenset(BY_CODE)


def unknown_codes(codes: list[str] | tuple[str, ...]) -> list[str]:
    """Return the codes that are not in the vocabulary, in input order."""
    return [code for code in codes if code not in CODES]
