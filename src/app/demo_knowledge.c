/*
 * Demonstration content of the knowledge platform for `ponte demo`: practices, legislation,
 * case law and manuals of the seven demonstration countries, in English, French and
 * Portuguese with translations, written by each country's focal point and published by a
 * reviewer of another country. Practices and cases are invented and marked "(demo)"; the laws
 * named exist, but the summaries are demonstration text, not legal advice.
 */
#include <unistd.h>

#include "app/demo.h"
#include "knowledge/knowledge.h"

struct demo_item {
	const char *author; /* country code of the writing focal point */
	const char *type, *language, *countries, *title, *summary, *body;
	const char *details[KN_MAX_DETAILS][2];
	const char *translations[2][3]; /* language, title, summary */
};

static const struct demo_item ITEMS[] = {
	/* ---- good practices ---- */
	{ "PT",
	  "practice",
	  "pt",
	  "PT,ES",
	  "Equipas móveis de apoio contra os passadores nas fronteiras (demo)",
	  "Equipas multidisciplinares (polícia, ONG, serviços sociais) identificam vítimas entre "
	  "os migrantes introduzidos por passadores e encaminham-nas para abrigo no mesmo dia.",
	  "As equipas trabalham em turnos nos pontos de passagem e nas estações. Cada equipa tem "
	  "um "
	  "intérprete e um técnico de apoio à vítima. As vítimas identificadas são encaminhadas "
	  "para o mecanismo nacional de referenciação.",
	  { { "evidence", "evaluated" },
	    { "areas", "protection,partnership,irregular_migration" },
	    { "target_groups", "migrants_transit,adults" },
	    { "actors", "Polícia, ONG de apoio à vítima, segurança social" },
	    { "results", "180 pessoas identificadas em dois anos; 60% aceitaram apoio." },
	    { "period_start", "2019" },
	    { "period_end", "2023" },
	    { "budget", "250k_1m" },
	    { "contact_institution", "Observatório do Tráfico de Seres Humanos (demo)" },
	    { "evaluation_url", "https://evaluation.demo.ponte.example/equipas-moveis" } },
	  { { "fr", "Équipes mobiles contre les passeurs aux frontières (demo)",
	      "Des équipes pluridisciplinaires (police, ONG, services sociaux) repèrent les "
	      "victimes "
	      "parmi les migrants acheminés par des passeurs et les orientent vers un hébergement "
	      "le jour même." },
	    { "en", "Mobile teams against smugglers at the borders (demo)",
	      "Multidisciplinary teams (police, NGOs, social services) identify victims among "
	      "migrants moved by smugglers and refer them to shelter the same day." } } },
	{ "NE",
	  "practice",
	  "fr",
	  "NE",
	  "Comités villageois de vigilance sur la route d'Agadez (demo)",
	  "Des comités de village formés à reconnaître le recrutement trompeur informent les "
	  "familles et alertent l'agence nationale lorsque des enfants partent avec des "
	  "intermédiaires.",
	  "Les comités réunissent chefs traditionnels, enseignants et associations de femmes. Ils "
	  "tiennent un registre des départs signalés et disposent d'un numéro vert.",
	  { { "evidence", "monitored" },
	    { "areas", "prevention,partnership" },
	    { "target_groups", "children,communities" },
	    { "actors", "Agence nationale, chefferies, associations de femmes" },
	    { "results", "42 comités actifs\u202f; 130 signalements transmis en 2024." },
	    { "period_start", "2021" },
	    { "budget", "under_50k" },
	    { "tags", "prévention, enfants, communautés" } },
	  { { "en", "Village vigilance committees on the Agadez road (demo)",
	      "Village committees trained to recognise deceptive recruitment inform families and "
	      "alert the national agency when children leave with intermediaries." },
	    { "pt", "Comités de vigilância nas aldeias da estrada de Agadez (demo)",
	      "Comités de aldeia formados para reconhecer o recrutamento enganoso informam as "
	      "famílias e alertam a agência nacional quando crianças partem com "
	      "intermediários." } } },
	{ "SN",
	  "practice",
	  "fr",
	  "SN,ML",
	  "Retour accompagné des enfants talibés vers le Mali (demo)",
	  "Une procédure conjointe entre services sociaux sénégalais et maliens organise la "
	  "recherche des familles, l'évaluation du retour et le suivi pendant un an.",
	  "La procédure suit les étapes du réseau ouest-africain de protection de l'enfant\u202f: "
	  "identification, recherche familiale, évaluation, retour accompagné, réinsertion et "
	  "suivi.",
	  { { "evidence", "replicated" },
	    { "areas", "protection,return_readmission" },
	    { "target_groups", "children" },
	    { "actors", "Services sociaux, ONG de protection de l'enfance" },
	    { "results", "95 enfants réunis avec leur famille\u202f; suivi à 12 mois pour 80 %." },
	    { "period_start", "2018" },
	    { "budget", "50k_250k" } },
	  { { "en", "Accompanied return of talibé children to Mali (demo)",
	      "A joint procedure of Senegalese and Malian social services organises family "
	      "tracing, the assessment of return and follow-up for a year." },
	    { "pt", "Regresso acompanhado de crianças talibés ao Mali (demo)",
	      "Um procedimento conjunto dos serviços sociais do Senegal e do Mali organiza a "
	      "procura das famílias, a avaliação do regresso e o acompanhamento durante um "
	      "ano." } } },
	{ "NG",
	  "practice",
	  "en",
	  "NG,IT",
	  "Pre-departure counselling for young women in Edo State (demo)",
	  "Counsellors meet young women offered work in Europe, check the offer with the "
	  "destination's focal point and explain the debt bondage used by exploiters.",
	  "Sessions take place in schools, churches and markets. Offers are verified through the "
	  "focal-point directory before the person travels.",
	  { { "evidence", "evaluated" },
	    { "areas", "prevention,partnership" },
	    { "target_groups", "women,adults" },
	    { "actors", "State task force, faith groups, NGOs" },
	    { "period_start", "2017" },
	    { "period_end", "2022" },
	    { "budget", "250k_1m" } },
	  { { "fr", "Conseil avant le départ pour les jeunes femmes de l'État d'Edo (demo)",
	      "Des conseillères rencontrent les jeunes femmes à qui l'on propose un travail en "
	      "Europe, vérifient l'offre auprès du point focal du pays de destination et "
	      "expliquent "
	      "la servitude pour dettes." },
	    { "pt", "Aconselhamento antes da partida para jovens mulheres no Estado de Edo (demo)",
	      "Conselheiras encontram jovens mulheres a quem é oferecido trabalho na Europa, "
	      "verificam a oferta junto do ponto focal do país de destino e explicam a servidão "
	      "por dívidas." } } },
	{ "ES",
	  "practice",
	  "en",
	  "ES",
	  "Labour inspectors and NGOs visit greenhouses together (demo)",
	  "Joint visits of labour inspectors and NGO mediators to greenhouse farms find victims of "
	  "labour exploitation who would not speak to an inspector alone.",
	  "Mediators speak the workers' languages and offer a confidential meeting after the "
	  "visit.",
	  { { "evidence", "described" },
	    { "areas", "protection,prosecution" },
	    { "target_groups", "workers,adults" },
	    { "actors", "Labour inspectorate, NGO mediators" },
	    { "period_start", "2022" } },
	  { { "fr", "Inspecteurs du travail et ONG visitent ensemble les serres (demo)",
	      "Des visites conjointes d'inspecteurs du travail et de médiateurs associatifs "
	      "repèrent des victimes d'exploitation par le travail." },
	    { "pt", "Inspetores do trabalho e ONG visitam juntos as estufas (demo)",
	      "Visitas conjuntas de inspetores do trabalho e mediadores de ONG encontram vítimas "
	      "de exploração laboral." } } },
	{ "IT",
	  "practice",
	  "en",
	  "IT,NG",
	  "Safe houses with a residence permit for social protection (demo)",
	  "Victims who leave their exploiters get a protected place, a residence permit for social "
	  "protection and a work placement, whether or not they testify.",
	  "The programme links shelters, prefectures and employers; each person has a support plan "
	  "reviewed every three months.",
	  { { "evidence", "replicated" },
	    { "areas", "protection" },
	    { "target_groups", "women,adults" },
	    { "actors", "Municipalities, NGOs, prefectures" },
	    { "period_start", "2016" },
	    { "budget", "over_1m" } },
	  { { "fr", "Maisons protégées et titre de séjour pour protection sociale (demo)",
	      "Les victimes qui quittent leurs exploiteurs obtiennent un lieu protégé, un titre de "
	      "séjour et un stage, qu'elles témoignent ou non." },
	    { "pt", "Casas de abrigo com autorização de residência por proteção social (demo)",
	      "As vítimas que deixam os exploradores recebem um lugar protegido, uma autorização "
	      "de "
	      "residência e um estágio, quer testemunhem quer não." } } },
	{ "ML",
	  "practice",
	  "fr",
	  "ML,NE",
	  "Cellule conjointe de lutte contre les passeurs à Gao (demo)",
	  "Policiers et magistrats maliens et nigériens échangent des informations sur les réseaux "
	  "de passeurs par un canal institutionnel qui survit aux mutations.",
	  "La cellule se réunit chaque mois et tient un registre commun des affaires.",
	  { { "evidence", "monitored" },
	    { "areas", "prosecution,partnership,irregular_migration" },
	    { "target_groups", "migrants_transit,professionals" },
	    { "actors", "Police, parquets, points focaux" },
	    { "period_start", "2020" } },
	  { { "en", "Joint anti-smuggling unit in Gao (demo)",
	      "Malian and Nigerien police officers and magistrates share information on smuggling "
	      "networks through an institutional channel that survives staff rotation." },
	    { "pt", "Célula conjunta contra os passadores em Gao (demo)",
	      "Polícias e magistrados do Mali e do Níger trocam informações sobre redes de "
	      "passadores por um canal institucional que sobrevive às mudanças de pessoal." } } },
	/* ---- legislation ---- */
	{ "PT",
	  "legislation",
	  "pt",
	  "PT",
	  "Código Penal, artigo 160.º: tráfico de pessoas (demo)",
	  "Define o crime de tráfico de pessoas para exploração sexual, do trabalho, mendicidade, "
	  "escravidão, extração de órgãos e atividades criminosas.",
	  "",
	  { { "instrument", "Código Penal (revisão de 2007)" },
	    { "articles", "160.º" },
	    { "adopted_on", "2007-09-04" },
	    { "in_force_on", "2007-09-15" },
	    { "covers", "trafficking,non_punishment" },
	    { "palermo_trafficking", "ratified" },
	    { "palermo_smuggling", "ratified" } },
	  { { "fr", "Code pénal, article 160\u202f: traite des personnes (demo)",
	      "Définit l'infraction de traite des personnes aux fins d'exploitation sexuelle, par "
	      "le "
	      "travail, de mendicité, d'esclavage, de prélèvement d'organes et d'activités "
	      "criminelles." },
	    { "en", "Criminal Code, article 160: trafficking in persons (demo)",
	      "Defines trafficking in persons for sexual and labour exploitation, begging, "
	      "slavery, organ removal and criminal activities." } } },
	{ "NE",
	  "legislation",
	  "fr",
	  "NE",
	  "Ordonnance n° 2010-86 relative à la lutte contre la traite des personnes (demo)",
	  "Incrimine la traite des personnes, crée l'agence nationale et la commission nationale "
	  "de coordination, et prévoit la protection et l'assistance des victimes.",
	  "",
	  { { "instrument", "Ordonnance n° 2010-86" },
	    { "adopted_on", "2010-12-16" },
	    { "covers", "trafficking,victim_protection" },
	    { "palermo_trafficking", "ratified" },
	    { "palermo_smuggling", "ratified" } },
	  { { "en", "Ordinance No. 2010-86 on combating trafficking in persons (demo)",
	      "Criminalises trafficking in persons, creates the national agency and coordination "
	      "commission, and provides for the protection and assistance of victims." },
	    { "pt", "Decreto n.º 2010-86 relativo à luta contra o tráfico de pessoas (demo)",
	      "Criminaliza o tráfico de pessoas, cria a agência nacional e a comissão de "
	      "coordenação e prevê a proteção e assistência às vítimas." } } },
	{ "NE",
	  "legislation",
	  "fr",
	  "NE",
	  "Loi n° 2015-36 relative au trafic illicite de migrants (demo)",
	  "Réprime le trafic illicite de migrants par terre, mer et air et protège les migrants "
	  "objets de trafic, qui ne sont pas poursuivis pour avoir été transportés.",
	  "",
	  { { "instrument", "Loi n° 2015-36" },
	    { "adopted_on", "2015-05-26" },
	    { "covers", "smuggling,non_punishment" },
	    { "palermo_smuggling", "ratified" } },
	  { { "en", "Law No. 2015-36 on the smuggling of migrants (demo)",
	      "Punishes the smuggling of migrants by land, sea and air and protects smuggled "
	      "migrants, who are not prosecuted for having been smuggled." },
	    { "pt", "Lei n.º 2015-36 relativa ao auxílio à imigração ilegal (demo)",
	      "Pune a introdução clandestina de migrantes por terra, mar e ar e protege os "
	      "migrantes, que não são perseguidos por terem sido transportados." } } },
	{ "SN",
	  "legislation",
	  "fr",
	  "SN",
	  "Loi n° 2005-06 relative à la lutte contre la traite des personnes (demo)",
	  "Réprime la traite des personnes et les pratiques assimilées, dont la mendicité forcée "
	  "des enfants, et organise la protection des victimes.",
	  "",
	  { { "instrument", "Loi n° 2005-06" },
	    { "adopted_on", "2005-05-10" },
	    { "covers", "trafficking,child_protection,victim_protection" },
	    { "palermo_trafficking", "ratified" } },
	  { { "en", "Law No. 2005-06 on combating trafficking in persons (demo)",
	      "Punishes trafficking in persons and similar practices, including the forced begging "
	      "of children, and organises the protection of victims." },
	    { "pt", "Lei n.º 2005-06 relativa à luta contra o tráfico de pessoas (demo)",
	      "Pune o tráfico de pessoas e práticas semelhantes, incluindo a mendicidade forçada "
	      "de crianças, e organiza a proteção das vítimas." } } },
	{ "NG",
	  "legislation",
	  "en",
	  "NG",
	  "Trafficking in Persons (Prohibition) Enforcement and Administration Act 2015 (demo)",
	  "Consolidates the offences of trafficking, establishes the national agency and a "
	  "victims' "
	  "trust fund, and provides for the protection of trafficked persons.",
	  "",
	  { { "instrument", "Act No. 4 of 2015" },
	    { "adopted_on", "2015-03-26" },
	    { "covers", "trafficking,victim_protection" },
	    { "palermo_trafficking", "ratified" },
	    { "palermo_smuggling", "ratified" } },
	  { { "fr", "Loi de 2015 sur l'interdiction de la traite des personnes (demo)",
	      "Regroupe les infractions de traite, institue l'agence nationale et un fonds pour "
	      "les "
	      "victimes." },
	    { "pt", "Lei de 2015 sobre a proibição do tráfico de pessoas (demo)",
	      "Consolida os crimes de tráfico, cria a agência nacional e um fundo para as "
	      "vítimas." } } },
	{ "ES",
	  "legislation",
	  "en",
	  "ES",
	  "Criminal Code, article 177 bis: trafficking in human beings (demo)",
	  "Introduced in 2010, it separates trafficking from the smuggling of migrants and exempts "
	  "victims from punishment for offences they were compelled to commit.",
	  "",
	  { { "instrument", "Organic Law 5/2010" },
	    { "articles", "177 bis" },
	    { "adopted_on", "2010-06-22" },
	    { "in_force_on", "2010-12-23" },
	    { "covers", "trafficking,non_punishment" },
	    { "palermo_trafficking", "ratified" },
	    { "palermo_smuggling", "ratified" } },
	  { { "fr", "Code pénal, article 177 bis\u202f: traite des êtres humains (demo)",
	      "Distingue la traite du trafic de migrants et exonère les victimes des infractions "
	      "qu'elles ont été contraintes de commettre." },
	    { "pt", "Código Penal, artigo 177.º bis: tráfico de seres humanos (demo)",
	      "Distingue o tráfico do auxílio à imigração ilegal e isenta as vítimas de pena pelos "
	      "crimes que foram obrigadas a cometer." } } },
	{ "IT",
	  "legislation",
	  "en",
	  "IT",
	  "Consolidated Immigration Act, article 18: social protection permit (demo)",
	  "Gives victims of violence or severe exploitation a residence permit for social "
	  "protection and access to an assistance and integration programme.",
	  "",
	  { { "instrument", "Legislative Decree 286/1998" },
	    { "articles", "18" },
	    { "adopted_on", "1998-07-25" },
	    { "covers", "victim_protection,trafficking" },
	    { "palermo_trafficking", "ratified" } },
	  { { "fr",
	      "Texte unique sur l'immigration, article 18\u202f: permis de protection sociale "
	      "(demo)",
	      "Donne aux victimes de violence ou d'exploitation grave un titre de séjour et "
	      "l'accès "
	      "à un programme d'assistance et d'intégration." },
	    { "pt", "Lei da Imigração, artigo 18.º: autorização por proteção social (demo)",
	      "Dá às vítimas de violência ou exploração grave uma autorização de residência e o "
	      "acesso a um programa de assistência e integração." } } },
	/* ---- case law (invented, initials only) ---- */
	{ "PT",
	  "caselaw",
	  "pt",
	  "PT,RO",
	  "Tráfico para exploração laboral na agricultura do Alentejo (demo)",
	  "Condenação de três arguidos que recrutaram trabalhadores com falsas promessas e os "
	  "mantiveram endividados em alojamentos sobrelotados.",
	  "",
	  { { "court", "Tribunal Judicial da Comarca de Beja (demo)" },
	    { "decision_date", "2023-04-18" },
	    { "case_number", "123/21.0DEMO" },
	    { "charges", "Tráfico de pessoas (art. 160.º CP); associação criminosa" },
	    { "verdict", "convicted" },
	    { "sentences", "7, 6 e 4 anos de prisão" },
	    { "defendants", "A.B. (M, RO); C.D. (M, RO); E.F. (F, PT)" },
	    { "victims", "11 (M, RO); 3 (F, RO)" },
	    { "routes", "Roménia → Portugal (autocarro)" },
	    { "modus_operandi",
	      "recrutamento enganoso, servidão por dívidas, retenção de documentos" } },
	  { { "en", "Trafficking for labour exploitation in Alentejo farming (demo)",
	      "Three defendants convicted for recruiting workers with false promises and keeping "
	      "them in debt in overcrowded housing." },
	    { "fr",
	      "Traite aux fins d'exploitation par le travail dans l'agriculture de l'Alentejo "
	      "(demo)",
	      "Condamnation de trois prévenus qui recrutaient des travailleurs par de fausses "
	      "promesses et les maintenaient endettés." } } },
	{ "NG",
	  "caselaw",
	  "en",
	  "NG,IT,NE",
	  "Sexual exploitation through Agadez and Libya to Italy (demo)",
	  "A recruiter and a transporter convicted for trafficking young women to Italy under oath "
	  "rituals and a debt of 30,000 euros.",
	  "",
	  { { "court", "Federal High Court, Benin City (demo)" },
	    { "decision_date", "2022-11-03" },
	    { "case_number", "FHC/B/DEMO/2020" },
	    { "charges", "Sections 13 and 14, TIPPEA Act 2015" },
	    { "verdict", "convicted" },
	    { "sentences", "10 and 5 years" },
	    { "defendants", "O.I. (F, NG); J.E. (M, NG)" },
	    { "victims", "5 (F, NG)" },
	    { "routes", "Benin City → Kano → Agadez → Libya → Italy" },
	    { "modus_operandi", "juju oath, debt bondage, smuggling by land and sea" } },
	  { { "fr", "Exploitation sexuelle via Agadez et la Libye vers l'Italie (demo)",
	      "Une recruteuse et un transporteur condamnés pour la traite de jeunes femmes vers "
	      "l'Italie sous serment rituel et une dette de 30 000 euros." },
	    { "pt", "Exploração sexual via Agadez e Líbia até Itália (demo)",
	      "Uma recrutadora e um transportador condenados por tráfico de jovens mulheres para "
	      "Itália sob juramento ritual e uma dívida de 30 000 euros." } } },
	{ "NE",
	  "caselaw",
	  "fr",
	  "NE,LY",
	  "Trafic de migrants dans le désert du Ténéré (demo)",
	  "Un passeur condamné pour avoir abandonné vingt migrants dans le désert\u202f; le "
	  "tribunal "
	  "retient la mise en danger de la vie des migrants comme circonstance aggravante.",
	  "",
	  { { "court", "Tribunal de grande instance d'Agadez (demo)" },
	    { "decision_date", "2021-02-09" },
	    { "charges", "Trafic illicite de migrants aggravé (loi n° 2015-36)" },
	    { "verdict", "convicted" },
	    { "sentences", "12 ans d'emprisonnement" },
	    { "defendants", "M.A. (M, NE)" },
	    { "victims", "20 (M, divers pays d'Afrique de l'Ouest)" },
	    { "routes", "Agadez → Séguédine → frontière libyenne" },
	    { "modus_operandi", "passeurs, transport en pick-up, abandon" } },
	  { { "en", "Smuggling of migrants in the Ténéré desert (demo)",
	      "A smuggler convicted for abandoning twenty migrants in the desert; endangering "
	      "their "
	      "lives was an aggravating circumstance." },
	    { "pt", "Introdução clandestina de migrantes no deserto do Ténéré (demo)",
	      "Um passador condenado por abandonar vinte migrantes no deserto; pôr as suas vidas "
	      "em "
	      "perigo foi circunstância agravante." } } },
	{ "SN",
	  "caselaw",
	  "fr",
	  "SN",
	  "Mendicité forcée d'enfants dans un daara de Thiès (demo)",
	  "Un maître coranique condamné pour avoir contraint des enfants à mendier\u202f; les "
	  "enfants "
	  "ont été pris en charge et rendus à leurs familles.",
	  "",
	  { { "court", "Tribunal de grande instance de Thiès (demo)" },
	    { "decision_date", "2020-07-14" },
	    { "charges", "Traite des personnes, mendicité forcée (loi n° 2005-06)" },
	    { "verdict", "convicted" },
	    { "sentences", "2 ans dont 1 avec sursis" },
	    { "defendants", "S.N. (M, SN)" },
	    { "victims", "14 (M, SN, GW)" },
	    { "modus_operandi", "mendicité forcée, quotas journaliers" } },
	  { { "en", "Forced begging of children in a daara in Thiès (demo)",
	      "A Koranic teacher convicted for forcing children to beg; the children were cared "
	      "for and returned to their families." },
	    { "pt", "Mendicidade forçada de crianças num daara de Thiès (demo)",
	      "Um mestre corânico condenado por obrigar crianças a mendigar; as crianças foram "
	      "acolhidas e devolvidas às famílias." } } },
	{ "ES",
	  "caselaw",
	  "en",
	  "ES,NG",
	  "Acquittal for lack of evidence of coercion in a sexual exploitation case (demo)",
	  "The court acquitted two defendants because the victim could not testify; the judgment "
	  "recommends pre-recorded testimony for protected witnesses.",
	  "",
	  { { "court", "Provincial Court of Almería (demo)" },
	    { "decision_date", "2019-10-21" },
	    { "charges", "Article 177 bis Criminal Code" },
	    { "verdict", "acquitted" },
	    { "defendants", "P.O. (F, NG); L.M. (M, ES)" },
	    { "victims", "1 (F, NG)" },
	    { "commentary", "Shows why early, pre-recorded testimony matters." } },
	  { { "fr", "Acquittement faute de preuve de la contrainte (demo)",
	      "Le tribunal a acquitté deux prévenus faute de témoignage de la victime et "
	      "recommande "
	      "le témoignage préenregistré." },
	    { "pt", "Absolvição por falta de prova da coação (demo)",
	      "O tribunal absolveu dois arguidos por falta do testemunho da vítima e recomenda o "
	      "depoimento pré-gravado." } } },
	{ "IT",
	  "caselaw",
	  "en",
	  "IT,NG,LY",
	  "Non-punishment of a trafficked woman charged with aiding illegal entry (demo)",
	  "The court applied the non-punishment principle to a woman forced by her exploiters to "
	  "steer a boat from Libya.",
	  "",
	  { { "court", "Court of Palermo (demo)" },
	    { "decision_date", "2024-01-30" },
	    { "charges", "Aiding illegal immigration (art. 12 TUI)" },
	    { "verdict", "acquitted" },
	    { "defendants", "B.E. (F, NG)" },
	    { "modus_operandi", "forced criminality, smugglers, boat crossing" } },
	  { { "fr",
	      "Non-sanction d'une victime de traite poursuivie pour aide à l'entrée irrégulière "
	      "(demo)",
	      "Le tribunal a appliqué le principe de non-sanction à une femme contrainte par ses "
	      "exploiteurs à piloter un bateau depuis la Libye." },
	    { "pt",
	      "Não punição de uma vítima de tráfico acusada de auxílio à imigração ilegal (demo)",
	      "O tribunal aplicou o princípio da não punição a uma mulher obrigada pelos "
	      "exploradores a pilotar um barco desde a Líbia." } } },
	/* ---- manuals ---- */
	{ "PT",
	  "manual",
	  "pt",
	  "PT",
	  "Guia de identificação de vítimas para inspetores do trabalho (demo)",
	  "Indicadores de tráfico para exploração laboral, perguntas para a entrevista e "
	  "contactos do mecanismo de referenciação.",
	  "",
	  { { "audiences", "labour_inspectors,police" },
	    { "format", "guidelines" },
	    { "published_year", "2022" } },
	  { { "en", "Victim identification guide for labour inspectors (demo)",
	      "Indicators of trafficking for labour exploitation, interview questions and the "
	      "contacts of the referral mechanism." },
	    { "fr", "Guide d'identification des victimes pour les inspecteurs du travail (demo)",
	      "Indicateurs de traite aux fins d'exploitation par le travail, questions d'entretien "
	      "et contacts du mécanisme d'orientation." } } },
	{ "SN",
	  "manual",
	  "fr",
	  "SN,ML,NE",
	  "Module de formation\u202f: enquêter sur les réseaux de passeurs (demo)",
	  "Cinq jours de formation pour policiers, gendarmes et magistrats\u202f: preuves "
	  "numériques, "
	  "flux financiers, coopération judiciaire.",
	  "",
	  { { "audiences", "police,prosecutors,magistrates,border_guards" },
	    { "format", "course" },
	    { "published_year", "2023" } },
	  { { "en", "Training module: investigating smuggling networks (demo)",
	      "Five days of training for police, gendarmes and magistrates: digital evidence, "
	      "money "
	      "flows, judicial cooperation." },
	    { "pt", "Módulo de formação: investigar redes de passadores (demo)",
	      "Cinco dias de formação para polícias, gendarmes e magistrados: prova digital, "
	      "fluxos "
	      "financeiros, cooperação judiciária." } } },
	{ "NG",
	  "manual",
	  "en",
	  "NG",
	  "Reporting on trafficking without harming survivors: a journalists' toolkit (demo)",
	  "How to interview survivors with consent, avoid identifying details and report on "
	  "networks rather than individuals.",
	  "",
	  { { "audiences", "journalists" }, { "format", "toolkit" }, { "published_year", "2021" } },
	  { { "fr",
	      "Parler de la traite sans nuire aux survivantes\u202f: boîte à outils pour "
	      "journalistes (demo)",
	      "Comment interroger les survivantes avec leur consentement et éviter tout détail "
	      "identifiant." },
	    { "pt",
	      "Noticiar o tráfico sem prejudicar as sobreviventes: guia para jornalistas "
	      "(demo)",
	      "Como entrevistar sobreviventes com consentimento e evitar pormenores que as "
	      "identifiquem." } } },
	{ "ML",
	  "manual",
	  "fr",
	  "ML",
	  "Fiches pratiques pour les enseignants\u202f: repérer un enfant en danger (demo)",
	  "Signes d'alerte, conduite à tenir et numéros à appeler lorsqu'un élève est recruté "
	  "pour les sites d'orpaillage.",
	  "",
	  { { "audiences", "teachers,social_workers" },
	    { "format", "handbook" },
	    { "published_year", "2024" } },
	  { { "en", "Practical sheets for teachers: spotting a child at risk (demo)",
	      "Warning signs, what to do and whom to call when a pupil is recruited for gold "
	      "mining "
	      "sites." },
	    { "pt", "Fichas práticas para professores: identificar uma criança em risco (demo)",
	      "Sinais de alerta, o que fazer e para onde ligar quando um aluno é recrutado para "
	      "minas de ouro." } } },
};

static int as(const keyed_store *env, const char *email, principal *p)
{
	int64_t id;
	int rc = user_find_by_email(env, email, &id);
	return rc ? rc : principal_load(env->db, id, p);
}

static void input_of(const struct demo_item *d, kn_input *in)
{
	memset(in, 0, sizeof(*in));
	in->type = d->type;
	in->language = d->language;
	in->countries = d->countries;
	in->title = d->title;
	in->summary = d->summary;
	in->body = d->body;
	for (size_t i = 0; i < KN_MAX_DETAILS && d->details[i][0]; i++) {
		in->details[i].name = d->details[i][0];
		in->details[i].value = d->details[i][1];
		in->ndetails++;
	}
	in->translations_given = true;
	for (size_t i = 0; i < 2 && d->translations[i][0]; i++) {
		in->translations[i].language = d->translations[i][0];
		in->translations[i].title = d->translations[i][1];
		in->translations[i].summary = d->translations[i][2];
		in->ntranslations++;
	}
}

/* A one-page PDF saying text, written to a new file under dir; path receives its name. */
static int write_pdf(const char *dir, const char *text, char *path, size_t n)
{
	char content[256], doc[2048];
	int clen = snprintf(content, sizeof(content), "BT /F1 18 Tf 72 720 Td (%s) Tj ET", text);
	const char *objects[5];
	char page[256], stream[400];
	snprintf(stream, sizeof(stream), "<< /Length %d >>\nstream\n%s\nendstream", clen, content);
	snprintf(page, sizeof(page),
		 "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
		 "/Resources << /Font << /F1 5 0 R >> >> >>");
	objects[0] = "<< /Type /Catalog /Pages 2 0 R >>";
	objects[1] = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
	objects[2] = page;
	objects[3] = stream;
	objects[4] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
	size_t len = (size_t)snprintf(doc, sizeof(doc), "%%PDF-1.4\n");
	long offsets[5];
	for (int i = 0; i < 5; i++) {
		offsets[i] = (long)len;
		len += (size_t)snprintf(doc + len, sizeof(doc) - len, "%d 0 obj\n%s\nendobj\n",
					i + 1, objects[i]);
	}
	long xref = (long)len;
	len += (size_t)snprintf(doc + len, sizeof(doc) - len, "xref\n0 6\n0000000000 65535 f \n");
	for (int i = 0; i < 5; i++)
		len +=
		    (size_t)snprintf(doc + len, sizeof(doc) - len, "%010ld 00000 n \n", offsets[i]);
	len +=
	    (size_t)snprintf(doc + len, sizeof(doc) - len,
			     "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
	snprintf(path, n, "%s/spool/upload-demo-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0)
		return PONTE_EIO;
	bool ok = write(fd, doc, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : PONTE_EIO;
}

/* The evaluation report of the first practice, as a downloadable document. */
static int attach_evaluation(const keyed_store *env, const principal *author, const char *files,
			     int64_t item)
{
	char path[4096], dir[4096];
	snprintf(dir, sizeof(dir), "%s/knowledge", files);
	int rc = write_pdf(files, "Avaliacao das equipas moveis (demo)", path, sizeof(path));
	int64_t id;
	const char *why;
	if (!rc)
		rc = kn_attach(env, author, dir, item, path,
			       "Avaliação das equipas móveis (demo).pdf", &id, &why);
	unlink(path);
	return rc;
}

int demo_knowledge(const keyed_store *env, const char *files_dir)
{
	principal reviewer;
	int rc = as(env, "knowledge.reviewer.pt@demo.ponte.example", &reviewer);
	for (size_t i = 0; i < ARRAY_LEN(ITEMS) && !rc; i++) {
		char email[96];
		snprintf(email, sizeof(email), "national.focal.point.%c%c@demo.ponte.example",
			 ITEMS[i].author[0] + 32, ITEMS[i].author[1] + 32);
		principal author;
		if ((rc = as(env, email, &author)))
			break;
		kn_input in;
		input_of(&ITEMS[i], &in);
		field_errors e;
		int64_t id;
		const char *why;
		rc = kn_create(env, &author, &in, &id, &e);
		if (rc == PONTE_EINVAL)
			fprintf(stderr, "demo item %zu: %s: %s\n", i, e.items[0].field,
				e.items[0].message);
		if (!rc && i == 0 && files_dir)
			rc = attach_evaluation(env, &author, files_dir, id);
		if (!rc)
			rc = kn_transition(env, &author, id, "submit", &why);
		if (!rc)
			rc = kn_transition(env, &reviewer, id, "publish", &why);
	}
	return rc;
}

/* ---- synthetic items for measurements ---- */

static uint64_t bulk_state;
static unsigned bulk_pick(unsigned n)
{
	bulk_state ^= bulk_state >> 12;
	bulk_state ^= bulk_state << 25;
	bulk_state ^= bulk_state >> 27;
	return (unsigned)((bulk_state * 2685821657736338717ULL) % n);
}

/* Words of each language that search queries and facets meet in real content. */
static const char *const WORDS[3][24] = {
	{ "trafficking", "smugglers",   "children", "protection", "labour",        "exploitation",
	  "victims",     "referral",    "border",   "shelter",    "prosecution",   "training",
	  "network",     "recruitment", "debt",     "return",     "reintegration", "community",
	  "police",      "court",       "evidence", "migrants",   "women",         "cooperation" },
	{ "traite",   "passeurs",    "enfants",   "protection",  "travail",     "exploitation",
	  "victimes", "orientation", "frontière", "hébergement", "poursuites",  "formation",
	  "réseau",   "recrutement", "dette",     "retour",      "réinsertion", "communauté",
	  "police",   "tribunal",    "preuves",   "migrants",    "femmes",      "coopération" },
	{ "tráfico", "passadores",    "crianças",  "proteção",  "trabalho",     "exploração",
	  "vítimas", "referenciação", "fronteira", "abrigo",    "acusação",     "formação",
	  "rede",    "recrutamento",  "dívida",    "regresso",  "reintegração", "comunidade",
	  "polícia", "tribunal",      "prova",     "migrantes", "mulheres",     "cooperação" },
};
static const char *const LANGS[3] = { "en", "fr", "pt" };
static const char *const PLACES[] = { "NE", "SN", "ML", "NG", "PT", "ES", "IT", "MA", "BF",
				      "GH", "CI", "GN", "FR", "BE", "DE", "LY", "TN", "MR" };

static void sentence(buf *b, int lang, unsigned words)
{
	for (unsigned i = 0; i < words; i++)
		buf_printf(b, "%s%s", i ? " " : "", WORDS[lang][bulk_pick(24)]);
}

/* One synthetic item of the given type; all strings live in a. */
static void bulk_input(arena *a, long k, kn_input *in)
{
	static const char *const TYPES[] = { "practice", "legislation", "caselaw", "manual" };
	int lang = (int)bulk_pick(3);
	memset(in, 0, sizeof(*in));
	in->type = TYPES[k % 4];
	in->language = LANGS[lang];
	buf b;
	buf_init(&b, 8192);
	sentence(&b, lang, 5 + bulk_pick(4));
	in->title = arena_printf(a, "%s (synthetic %ld)", b.data, k);
	buf_reset(&b);
	sentence(&b, lang, 25);
	in->summary = arena_strdup(a, b.data);
	buf_reset(&b);
	sentence(&b, lang, 80);
	in->body = arena_strdup(a, b.data);
	buf_release(&b);
	in->countries = bulk_pick(3) ? PLACES[bulk_pick(ARRAY_LEN(PLACES))]
				     : arena_printf(a, "%s,%s", PLACES[bulk_pick(7)],
						    PLACES[7 + bulk_pick(ARRAY_LEN(PLACES) - 7)]);
	static const char *const EVIDENCE[] = { "described", "monitored", "evaluated",
						"replicated" };
	static const char *const AREAS[] = { "prevention", "protection", "prosecution",
					     "partnership", "irregular_migration" };
	static const char *const TARGETS[] = { "adults", "children", "women", "migrants_transit",
					       "workers" };
	char year[8];
	snprintf(year, sizeof(year), "%u", 2005 + bulk_pick(21));
	const char *practice[][2] = {
		{ "evidence", EVIDENCE[bulk_pick(4)] },     { "areas", AREAS[bulk_pick(5)] },
		{ "target_groups", TARGETS[bulk_pick(5)] }, { "actors", "Synthetic actors" },
		{ "period_start", arena_strdup(a, year) },  { NULL, NULL }
	};
	const char *legislation[][2] = { { "instrument", "Synthetic law" },
					 { "adopted_on", arena_printf(a, "%s-06-01", year) },
					 { "covers", "trafficking" },
					 { NULL, NULL } };
	const char *caselaw[][2] = { { "court", "Synthetic court" },
				     { "decision_date", arena_printf(a, "%s-03-15", year) },
				     { "verdict", "convicted" },
				     { "defendants", "A.B. (M, NG)" },
				     { NULL, NULL } };
	const char *manual[][2] = { { "audiences", "police,prosecutors" },
				    { "format", "handbook" },
				    { "published_year", arena_strdup(a, year) },
				    { NULL, NULL } };
	const char *(*pick)[2] = k % 4 == 0   ? practice
				 : k % 4 == 1 ? legislation
				 : k % 4 == 2 ? caselaw
					      : manual;
	for (size_t i = 0; pick[i][0] && in->ndetails < KN_MAX_DETAILS; i++) {
		in->details[in->ndetails].name = arena_strdup(a, pick[i][0]);
		in->details[in->ndetails].value = arena_strdup(a, pick[i][1]);
		in->ndetails++;
	}
	/* A third of the items carry a translation of their title and summary. */
	if (bulk_pick(3) == 0) {
		int other = (lang + 1 + (int)bulk_pick(2)) % 3;
		buf t;
		buf_init(&t, 8192);
		sentence(&t, other, 6);
		in->translations[0].language = LANGS[other];
		in->translations[0].title = arena_strdup(a, t.data);
		buf_reset(&t);
		sentence(&t, other, 20);
		in->translations[0].summary = arena_strdup(a, t.data);
		buf_release(&t);
		in->ntranslations = 1;
	}
	in->translations_given = true;
}

int demo_knowledge_bulk(const keyed_store *env, long n, uint64_t seed)
{
	bulk_state = (seed ? seed : 1) * 0x2545F4914F6CDD1DULL;
	principal authors[7], reviewer;
	static const char *const CC[] = { "ne", "sn", "ml", "ng", "pt", "es", "it" };
	int rc = as(env, "knowledge.reviewer.ne@demo.ponte.example", &reviewer);
	for (size_t i = 0; i < 7 && !rc; i++) {
		char email[96];
		snprintf(email, sizeof(email), "national.focal.point.%s@demo.ponte.example", CC[i]);
		rc = as(env, email, &authors[i]);
	}
	for (long k = 0; k < n && !rc; k++) {
		arena a;
		arena_init(&a, 1 << 20);
		kn_input in;
		bulk_input(&a, k, &in);
		const principal *author = &authors[k % 7];
		field_errors e;
		int64_t id;
		const char *why;
		rc = kn_create(env, author, &in, &id, &e);
		if (rc == PONTE_EINVAL)
			fprintf(stderr, "synthetic item %ld: %s: %s\n", k, e.items[0].field,
				e.items[0].message);
		if (!rc)
			rc = kn_transition(env, author, id, "submit", &why);
		if (!rc)
			rc = kn_transition(env, &reviewer, id, "publish", &why);
		arena_release(&a);
	}
	return rc;
}
