#!/usr/bin/env python3
"""The names of the ISO 3166-1 countries in English, French and Portuguese, from Debian's
iso-codes package, as the SQL of a migration.

Development-time only (the output is committed): apt-get install iso-codes, then
    python3 tools/countries.py --update > migrations/NNNN_country_names.sql
writes UPDATE statements that bring the names of an existing countries table to what this
script chooses. Without --update it prints the whole table (CREATE and INSERT) as
migrations/0002_countries.sql defines it, with today's names; 0002 itself keeps the names it
was written with, since an applied migration never changes (its checksum is checked), and
the --update migration (0036_country_names.sql) corrects them.

Names are the short ones people use in lists: the common name when iso-codes has one and
translates it ("South Korea", "Corée du Sud"), else the ISO name translated; then NAMES below
for the few that iso-codes only gives in an inverted or formal form ("Iran, Islamic Republic
of", "Syrienne, République arabe") or leaves untranslated ("Türkiye" in French, "Syria" in
Portuguese). Country names and their translations come from iso-codes (Debian package
iso-codes, LGPL-2.1-or-later, https://salsa.debian.org/iso-codes-team).
"""
import gettext
import json
import re
import sys

data = json.load(open('/usr/share/iso-codes/json/iso_3166-1.json'))['3166-1']
catalogues = {
    lang: gettext.translation('iso_3166-1', localedir='/usr/share/locale', languages=[lang])
    for lang in ('fr', 'pt', 'es', 'ar')
}

# Short names where iso-codes has none that reads well in a list (Portuguese as in Portugal,
# like iso-codes' pt catalogue), and corrections of its Spanish and Arabic catalogues (typos,
# "Algeria" untranslated in Spanish, Moldova named as the Maldives in Arabic).
NAMES_ES_AR = {
    'BN': {'es': 'Brunéi'},
    'BQ': {'es': 'Caribe Neerlandés'},
    'CC': {'es': 'Islas Cocos'},
    'CD': {'es': 'República Democrática del Congo', 'ar': 'جمهورية الكونغو الديمقراطية'},
    'CI': {'es': 'Costa de Marfil'},
    'DZ': {'es': 'Argelia'},
    'FK': {'es': 'Islas Malvinas', 'ar': 'جزر فوكلاند'},
    'FM': {'es': 'Micronesia', 'ar': 'ميكرونيزيا'},
    'HU': {'ar': 'المجر'},
    'IR': {'es': 'Irán', 'ar': 'إيران'},
    'KM': {'es': 'Comoras'},
    'KP': {'es': 'Corea del Norte', 'ar': 'كوريا الشمالية'},
    'KR': {'es': 'Corea del Sur', 'ar': 'كوريا الجنوبية'},
    'LA': {'es': 'Laos', 'ar': 'لاوس'},
    'MD': {'ar': 'مولدوفا'},
    'MF': {'es': 'San Martín (Francia)', 'ar': 'سانت مارتن (فرنسا)'},
    'NE': {'es': 'Níger'},
    'PS': {'es': 'Palestina', 'ar': 'فلسطين'},
    'RU': {'es': 'Rusia', 'ar': 'روسيا'},
    'SX': {'es': 'San Martín (Países Bajos)', 'ar': 'سانت مارتن (هولندا)'},
    'SY': {'es': 'Siria', 'ar': 'سوريا'},
    'TN': {'es': 'Túnez'},
    'TR': {'es': 'Turquía', 'ar': 'تركيا'},
    'VA': {'es': 'Ciudad del Vaticano', 'ar': 'الفاتيكان'},
    'VG': {'es': 'Islas Vírgenes Británicas', 'ar': 'جزر العذراء البريطانية'},
    'VI': {'es': 'Islas Vírgenes de los Estados Unidos', 'ar': 'جزر العذراء الأمريكية'},
}
NAMES = {
    'AX': {'fr': 'Îles Åland'},
    'CC': {'fr': 'Îles Cocos'},
    'CD': {'en': 'Democratic Republic of the Congo', 'pt': 'República Democrática do Congo'},
    'CX': {'fr': 'Île Christmas'},
    'FK': {'en': 'Falkland Islands', 'fr': 'Îles Malouines', 'pt': 'Ilhas Falkland'},
    'FM': {'en': 'Micronesia', 'fr': 'Micronésie', 'pt': 'Micronésia'},
    'IR': {'fr': 'Iran', 'pt': 'Irão'},
    'LA': {'fr': 'Laos', 'pt': 'Laos'},
    'PS': {'en': 'Palestine', 'fr': 'Palestine', 'pt': 'Palestina'},
    'RE': {'fr': 'La Réunion', 'pt': 'Reunião'},
    'RU': {'en': 'Russia', 'fr': 'Russie', 'pt': 'Rússia'},
    'SB': {'fr': 'Îles Salomon'},
    'SY': {'fr': 'Syrie', 'pt': 'Síria'},
    'TR': {'fr': 'Turquie'},
    'VA': {'en': 'Vatican City', 'fr': 'Vatican', 'pt': 'Vaticano'},
    'VG': {'en': 'British Virgin Islands', 'pt': 'Ilhas Virgens Britânicas'},
    'VI': {'en': 'United States Virgin Islands', 'fr': 'Îles Vierges des États-Unis',
           'pt': 'Ilhas Virgens Americanas'},
}


def name(c, lang):
    if lang in NAMES.get(c['alpha_2'], {}):
        return NAMES[c['alpha_2']][lang]
    if lang in NAMES_ES_AR.get(c['alpha_2'], {}):
        return NAMES_ES_AR[c['alpha_2']][lang]
    if lang == 'ar':
        # iso-codes marks the assimilated letters with a shadda ("النّيجر"), which lists and
        # what people type leave out.
        return name_in_catalogue(c, lang).replace('\u0651', '')
    return name_in_catalogue(c, lang)


def name_in_catalogue(c, lang):
    common = c.get('common_name')
    if lang == 'en':
        return common or c['name']
    catalogue = catalogues[lang]
    if common and common in catalogue._catalog:
        return catalogue._catalog[common]
    return catalogue.gettext(c['name'])


def q(s):
    return "'" + s.replace("'", "''") + "'"


countries = sorted(data, key=lambda c: c['alpha_2'])
if sys.argv[1:] == ['--spanish-arabic']:
    # Columns for Spanish and Arabic (migration 0039_languages.sql).
    print('-- Country names in Spanish and Arabic, from Debian iso-codes 4.15 (LGPL-2.1-or-later)')
    print('-- with the corrections of tools/countries.py; generated by tools/countries.py')
    print('-- --spanish-arabic.')
    print("ALTER TABLE countries ADD COLUMN name_es TEXT NOT NULL DEFAULT '';")
    print("ALTER TABLE countries ADD COLUMN name_ar TEXT NOT NULL DEFAULT '';")
    for c in countries:
        print('UPDATE countries SET name_es = %s, name_ar = %s WHERE code = %s;' %
              (q(name(c, 'es')), q(name(c, 'ar')), q(c['alpha_2'])))
    print("UPDATE countries SET name_es = 'Desconocido', name_ar = 'غير معروف' WHERE code = 'ZZ';")
    sys.exit(0)
if sys.argv[1:] == ['--update']:
    # The names 0002 wrote, to change only those that differ.
    row = re.compile(r"^  \('(\w\w)', '\w+', ((?:'(?:[^']|'')*', ){2}'(?:[^']|'')*')\)")
    first = {}
    for line in open('migrations/0002_countries.sql', encoding='utf-8'):
        m = row.match(line)
        if m:
            first[m.group(1)] = [n.replace("''", "'") for n in
                                 re.findall(r"'((?:[^']|'')*)'", m.group(2))]
    print('-- The short names of the ISO 3166-1 countries in English, French and Portuguese, as')
    print('-- people write them in lists ("Iran", "Irão", "Syrie", "Russia"), where 0002 had')
    print('-- inverted or formal ones ("Iran, Islamic Republic of") or none ("Syria" in French).')
    print('-- Generated by tools/countries.py --update from Debian iso-codes 4.15 (LGPL-2.1-or-later).')
    for c in countries:
        names = [name(c, lang) for lang in ('en', 'fr', 'pt')]
        if first.get(c['alpha_2']) != names:
            print('UPDATE countries SET name_en = %s, name_fr = %s, name_pt = %s WHERE code = %s;' %
                  (q(names[0]), q(names[1]), q(names[2]), q(c['alpha_2'])))
    sys.exit(0)

print('-- ISO 3166-1 countries with their names in English, French and Portuguese.')
print('-- Generated by tools/countries.py from Debian iso-codes 4.15 (LGPL-2.1-or-later).')
print('-- "ZZ" stands for an unknown or unspecified country, as ISO reserves it for.')
print('CREATE TABLE countries (')
print('  code TEXT PRIMARY KEY CHECK (length(code) = 2 AND code = upper(code)),')
print('  alpha3 TEXT NOT NULL,')
print('  name_en TEXT NOT NULL,')
print('  name_fr TEXT NOT NULL,')
print('  name_pt TEXT NOT NULL')
print(') STRICT;')
print('INSERT INTO countries(code, alpha3, name_en, name_fr, name_pt) VALUES')
rows = ['  (%s, %s, %s, %s, %s)' % (q(c['alpha_2']), q(c['alpha_3']), q(name(c, 'en')),
                                  q(name(c, 'fr')), q(name(c, 'pt'))) for c in countries]
rows.append("  ('ZZ', 'ZZZ', 'Unknown', 'Inconnu', 'Desconhecido')")
print(',\n'.join(rows) + ';')
