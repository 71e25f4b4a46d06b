"""Town-name queries from the Syrian gazetteer (seeds/), common and rare, words and phrases.

The frequencies in the comments are the number of the 40,003 distinct corpus articles that
contain the name as a word (after normalisation, with or without a proclitic), so the list
spans names found in thousands of articles at 300k down to names found in none.
"""

COMMON = [
    "دمشق",  # 991
    "دوما",  # 695, also the adverb دوماً
    "إدلب",  # 348
    "الباب",  # 301, also "the door"
    "عفرين",  # 297
    "حلب",  # 191
    "حمص",  # 184
    "درعا",  # 179
    "القصير",  # 125
    "جاسم",  # 111, also a first name
    "منبج",  # 97
    "حماة",  # 96
    "القنيطرة",  # 93
    "تدمر",  # 82
    "الرقة",  # 82
    "اللاذقية",  # 62
    "حرستا",  # 54
    "السويداء",  # 52
    "الميادين",  # 33
    "البوكمال",  # 33
]

PHRASES = [
    "دير الزور",  # 116
    "ريف دمشق",  # 89
    "خان شيخون",  # 57
    "الحجر الأسود",  # 33
    "تل رفعت",  # 14
    "بصرى الشام",  # 14
    "جسر الشغور",  # 10
    "عين العرب",  # 8
    "قلعة المضيق",  # 5
    "معرة النعمان",  # 4
    "رأس العين",  # 1
    "تل أبيض",  # 1
    "الشيخ مسكين",  # 1
    "عسال الورد",  # 1
    "خربة غزالة",  # 1
    "مشتى الحلو",  # 0
]

RARE = [
    "داريا",  # 27
    "جرابلس",  # 26
    "طرطوس",  # 23
    "نوى",  # 19
    "الكسوة",  # 19
    "القامشلي",  # 16
    "الحسكة",  # 15
    "مضايا",  # 10
    "الزبداني",  # 10
    "جرمانا",  # 8
    "الرستن",  # 8
    "أعزاز",  # 8
    "مصياف",  # 7
    "طفس",  # 7
    "جبلة",  # 7
    "صيدنايا",  # 5
    "تلبيسة",  # 5
    "معلولا",  # 3
    "سراقب",  # 3
    "إزرع",  # 3
    "يبرود",  # 2
    "حارم",  # 2
    "بانياس",  # 2
    "سلقين",  # 1
    "الصنمين",  # 1
    "صلخد",  # 1
    "قدسيا",  # 1
]

QUERIES = COMMON + PHRASES + RARE
