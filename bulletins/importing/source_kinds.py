"""A first guess at the kind of a source the archive has not seen before.

Editors can correct it in the admin; when nothing here is sure, the answer is "other".
Returns the values of ``Source.Kind`` as plain strings (this package imports no Django).
"""

import re

CENTRAL = "central"
LOCAL = "local"
GOVERNMENT = "government"
INDUSTRY = "industry"
OTHER = "other"

_CENTRAL_MEDIA = {
    "人民网",
    "人民日报",
    "人民日报客户端",
    "新华社",
    "新华网",
    "央视网",
    "央视新闻",
    "中央广播电视总台",
    "央广网",
    "中国之声",
    "中国新闻网",
    "中新网",
    "中国新闻社",
    "光明网",
    "光明日报",
    "经济日报",
    "中国经济网",
    "中国日报",
    "中国日报网",
    "中国网",
    "求是网",
    "中国青年报",
    "中国青年网",
    "中青网",
    "工人日报",
    "科技日报",
    "中国科技网",
    "法治日报",
    "中国妇女报",
    "农民日报",
    "参考消息",
}
_INDUSTRY_MEDIA = {
    "健康报",
    "健康界",
    "健康时报",
    "医师报",
    "医学界",
    "动脉网",
    "丁香园",
    "中国医院院长",
    "中国卫生",
    "中国医药报",
    "中国中医药报",
    "医药经济报",
    "中国数字医学",
    "中国医学论坛报",
    "中国卫生信息管理杂志",
}
_LOCAL_MEDIA = {"新京报", "北青网", "澎湃新闻", "上观新闻", "封面新闻", "红星新闻", "潮新闻"}
# Provinces, large cities and regional press brands: "北京日报", "南方都市报" ...
_REGIONS = tuple(
    (
        "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 "
        "山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 内蒙古 广西 "
        "西藏 宁夏 新疆 香港 澳门 深圳 广州 杭州 南京 武汉 成都 西安 郑州 长沙 "
        "济南 青岛 厦门 苏州 宁波 大连 沈阳 哈尔滨 长春 石家庄 太原 合肥 福州 南昌 "
        "南宁 昆明 贵阳 兰州 西宁 银川 乌鲁木齐 拉萨 呼和浩特 海口 无锡 南方 齐鲁 羊城 "
        "津云 "
    ).split()
)
_GOVERNMENT = re.compile(
    r"(?:人民政府|政府网|政务网|委员会|卫健委|医保局|统计局|数据局|"
    r"(?:国家|省|市|区|县)\S{0,10}(?:局|厅|委|部|办公室|中心))(?:网站|官网|门户)?$"
)
_MEDIA_SUFFIX = re.compile(
    r"(?:日报|晚报|早报|晨报|商报|青年报|新闻|电视台|广播电视台|融媒|网|报)$"
)


def guess_kind(name: str) -> str:
    """'国家医保局' -> government, '人民网' -> central, '北京日报' -> local, else ..."""
    name = re.sub(r"\s+", "", name or "")
    if not name:
        return OTHER
    if name in _CENTRAL_MEDIA or name.startswith(("人民日报", "新华社", "央视")):
        return CENTRAL
    if _GOVERNMENT.search(name) or name.startswith("中国政府网"):
        return GOVERNMENT
    if name in _INDUSTRY_MEDIA:
        return INDUSTRY
    if name in _LOCAL_MEDIA or (name.startswith(_REGIONS) and _MEDIA_SUFFIX.search(name)):
        return LOCAL
    return OTHER
